package io.llmft.trainer.service;

import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.InstructionEntry;
import io.llmft.text.PromptStyle;
import io.llmft.text.Tokenizer;
import io.llmft.training.TrainingSettings;
import io.llmft.training.data.BatchLoader;
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

  /**
   * A split's preference pairs as the DPO notebook's {@code PreferenceDataset} tokenizes them; a
   * pair whose response would be cut entirely by {@code allowedMaxLength} is left out (the
   * notebook's masked mean would divide by zero) and counted in {@code skipped}.
   */
  PreferenceLoader loadPreferences(
      String datasetId,
      String split,
      PromptStyle style,
      Tokenizer tokenizer,
      TrainingSettings settings,
      PreferenceCollator collator,
      boolean shuffle,
      boolean dropLast,
      java.util.function.IntConsumer skipped) {
    List<PreferenceExample> pairs = new java.util.ArrayList<>();
    int left = 0;
    for (com.fasterxml.jackson.databind.JsonNode e : datasets.readSplit(datasetId, split)) {
      PreferenceExample pair =
          PreferenceExample.of(
              tokenizer,
              style,
              DatasetArtifacts.toEntry(e),
              e.path("chosen").asText(),
              e.path("rejected").asText());
      if (collator.scoresSomething(pair)) {
        pairs.add(pair);
      } else {
        left++;
      }
    }
    skipped.accept(left);
    return new PreferenceLoader(
        pairs, settings.batchSize(), shuffle, dropLast, collator, settings.seed());
  }
}
