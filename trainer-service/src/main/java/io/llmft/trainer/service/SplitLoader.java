package io.llmft.trainer.service;

import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.InstructionEntry;
import io.llmft.text.ChatTargets;
import io.llmft.text.PromptStyle;
import io.llmft.text.Tokenizer;
import io.llmft.training.TrainingSettings;
import io.llmft.training.data.BatchLoader;
import io.llmft.training.data.ChatCollator;
import io.llmft.training.data.InstructionCollator;
import io.llmft.training.data.PreferenceCollator;
import io.llmft.training.data.PreferenceExample;
import io.llmft.training.data.PreferenceLoader;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * A prepared dataset's split as the book's DataLoader: each entry formatted in the dataset's prompt
 * style and tokenized; with instruction masking, also each instruction's length.
 */
@Singleton
public class SplitLoader {
  private final DatasetArtifacts datasets;

  public SplitLoader(DatasetArtifacts datasets) {
    this.datasets = datasets;
  }

  /** The split's first entry (the book's {@code val_data[0]}), if the split has any. */
  java.util.Optional<InstructionEntry> first(String datasetId, String split) {
    return datasets.readSplit(datasetId, split).stream().findFirst().map(DatasetArtifacts::toEntry);
  }

  /** The split's first {@code n} entries with their preferred response, for a look after DPO. */
  List<PreferenceSamples.PreferencePair> firstPairs(String datasetId, String split, int n) {
    return datasets.readSplit(datasetId, split).stream()
        .limit(n)
        .map(
            e ->
                new PreferenceSamples.PreferencePair(
                    DatasetArtifacts.toEntry(e), e.path("chosen").asText()))
        .toList();
  }

  BatchLoader load(
      String datasetId,
      String split,
      PromptStyle style,
      Tokenizer tokenizer,
      TrainingSettings settings,
      InstructionCollator collator,
      boolean maskInstructions,
      boolean shuffle,
      boolean dropLast) {
    List<InstructionEntry> entries =
        datasets.readSplit(datasetId, split).stream().map(DatasetArtifacts::toEntry).toList();
    List<int[]> items =
        entries.stream().map(e -> tokenizer.encode(style.formatTraining(e))).toList();
    int[] instructionLengths =
        maskInstructions
            ? entries.stream()
                .mapToInt(e -> tokenizer.encode(style.formatInput(e)).length)
                .toArray()
            : null;
    return new BatchLoader(
        items,
        instructionLengths,
        settings.batchSize(),
        shuffle,
        dropLast,
        collator,
        settings.seed());
  }

  /** A split's conversations as a loader, and how many rows were left out and why. */
  record Conversations(BatchLoader loader, int tooLong, int truncated, int unusable) {}

  /**
   * A chat split's conversations rendered by the model's template with their targets; a row longer
   * than {@code allowedMaxLength} ids is left out and counted, or with {@code truncate} cut to its
   * first {@code allowedMaxLength} ids and kept while a target remains before the cut; one the
   * template cannot render or tell the turns of is left out and counted.
   */
  @SuppressWarnings("unchecked")
  Conversations loadConversations(
      String datasetId,
      String split,
      ChatTargets targets,
      int allowedMaxLength,
      TrainingSettings settings,
      boolean truncate,
      ChatCollator collator,
      boolean shuffle,
      boolean dropLast) {
    List<ChatTargets.Item> items = new java.util.ArrayList<>();
    int tooLong = 0;
    int truncated = 0;
    int unusable = 0;
    for (com.fasterxml.jackson.databind.JsonNode row : datasets.readSplit(datasetId, split)) {
      try {
        ChatTargets.Item item =
            targets.of(
                JSON.convertValue(row.get("messages"), List.class),
                row.hasNonNull("tools") ? JSON.convertValue(row.get("tools"), List.class) : null);
        if (item.ids().length > allowedMaxLength) {
          ChatTargets.Item cut = item.cutTo(allowedMaxLength);
          if (truncate && cut.targetCount() > 0) {
            truncated++;
            items.add(cut);
          } else {
            tooLong++;
          }
        } else if (item.targetCount() == 0) {
          unusable++;
        } else {
          items.add(item);
        }
      } catch (ChatTargets.Unusable e) {
        unusable++;
      }
    }
    return new Conversations(
        BatchLoader.ofConversations(
            items, settings.batchSize(), shuffle, dropLast, collator, settings.seed()),
        tooLong,
        truncated,
        unusable);
  }

  /** The split's first conversation, up to its last assistant turn, for the epoch samples. */
  java.util.Optional<com.fasterxml.jackson.databind.JsonNode> firstConversation(
      String datasetId, String split) {
    return datasets.readSplit(datasetId, split).stream().findFirst();
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** An alpaca preference entry as the DPO notebook tokenizes it. */
  static java.util.function.Function<
          com.fasterxml.jackson.databind.JsonNode, java.util.Optional<PreferenceExample>>
      notebookPairs(Tokenizer tokenizer, PromptStyle style) {
    return e ->
        java.util.Optional.of(
            PreferenceExample.of(
                tokenizer,
                style,
                DatasetArtifacts.toEntry(e),
                e.path("chosen").asText(),
                e.path("rejected").asText()));
  }

  /** A conversational preference row; empty when the template cannot tell its answer apart. */
  @SuppressWarnings("unchecked")
  static java.util.function.Function<
          com.fasterxml.jackson.databind.JsonNode, java.util.Optional<PreferenceExample>>
      conversationPairs(ChatTargets targets) {
    return row -> {
      try {
        return java.util.Optional.of(
            PreferenceExample.ofConversation(
                targets,
                JSON.convertValue(row.get("messages"), List.class),
                row.hasNonNull("tools") ? JSON.convertValue(row.get("tools"), List.class) : null,
                JSON.convertValue(row.get("chosen"), java.util.Map.class),
                JSON.convertValue(row.get("rejected"), java.util.Map.class)));
      } catch (ChatTargets.Unusable e) {
        return java.util.Optional.empty();
      }
    };
  }

  /**
   * A split's preference pairs as the DPO notebook's {@code PreferenceDataset} tokenizes them; a
   * pair whose response would be cut entirely by {@code allowedMaxLength} is left out (the
   * notebook's masked mean would divide by zero) and counted in {@code skipped}.
   */
  PreferenceLoader loadPreferences(
      String datasetId,
      String split,
      java.util.function.Function<
              com.fasterxml.jackson.databind.JsonNode, java.util.Optional<PreferenceExample>>
          pairOf,
      TrainingSettings settings,
      PreferenceCollator collator,
      boolean shuffle,
      boolean dropLast,
      java.util.function.IntConsumer skipped) {
    List<PreferenceExample> pairs = new java.util.ArrayList<>();
    int left = 0;
    for (com.fasterxml.jackson.databind.JsonNode e : datasets.readSplit(datasetId, split)) {
      java.util.Optional<PreferenceExample> pair = pairOf.apply(e);
      if (pair.isPresent() && collator.scoresSomething(pair.get())) {
        pairs.add(pair.get());
      } else {
        left++;
      }
    }
    skipped.accept(left);
    return new PreferenceLoader(
        pairs, settings.batchSize(), shuffle, dropLast, collator, settings.seed());
  }
}
