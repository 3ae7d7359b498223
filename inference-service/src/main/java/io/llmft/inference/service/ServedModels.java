package io.llmft.inference.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.ModelDirectory;
import io.llmft.contract.ModelRef;
import io.llmft.contract.PretrainedModel;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.text.ChatTemplate;
import io.llmft.text.PromptStyle;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The models {@code /v1} serves: every finetuned model of the artifact store (by its id) and every
 * pretrained GPT-2 a training job has downloaded there (by its short name, {@code gpt2-medium}),
 * each with the prompt style it answers in: its dataset's, as its training record says; for a model
 * placed there without one, Llama 3's chat format when its tokenizer's chat template is Llama 3's
 * (an Instruct checkpoint), else alpaca, as for pretrained models and for models trained before the
 * record said it. A model placed there with a chat template of its own answers {@code /v1} chats in
 * that template.
 */
@Singleton
public class ServedModels {
  private static final Logger LOG = Logger.getLogger(ServedModels.class);

  private final ArtifactStore store;
  private final DatasetArtifacts datasets;
  private final ObjectMapper mapper;

  /**
   * A model to serve.
   *
   * @param family its {@code config.json}'s {@code model_type}
   * @param chatTemplate whether a chat is rendered with the model's own chat template (a model
   *     placed in the store with one, not finetuned here on single-turn rows); else the prompt
   *     style maps it
   * @param parent for a LoRA adapter served by name ({@link LoraModules}), its base model as the
   *     adapter names it; null for a model
   */
  public record Served(
      String id,
      ModelRef ref,
      PromptStyle style,
      long created,
      boolean base,
      String family,
      boolean chatTemplate,
      String parent) {}

  private final LoraModules adapters;

  public ServedModels(
      ArtifactStore store, DatasetArtifacts datasets, ObjectMapper mapper, LoraModules adapters) {
    this.store = store;
    this.datasets = datasets;
    this.mapper = mapper;
    this.adapters = adapters;
  }

  /** Finetuned models, newest first, then the pretrained ones present. */
  public List<Served> list() throws IOException {
    List<Served> served = new ArrayList<>();
    Path models = store.layout().models();
    if (Files.isDirectory(models)) {
      try (Stream<Path> dirs = Files.list(models)) {
        for (Path dir : dirs.sorted().toList()) {
          find(dir.getFileName().toString()).ifPresent(served::add);
        }
      }
    }
    served.sort(Comparator.comparingLong(Served::created).reversed());
    for (PretrainedModel model : PretrainedModel.values()) {
      find(model.shortName()).ifPresent(served::add);
    }
    for (LoraModules.Module module : adapters.list()) {
      served.add(adapter(module));
    }
    return served;
  }

  /** The model of this id, if it is here. */
  public Optional<Served> find(String id) {
    Optional<PretrainedModel> pretrained = PretrainedModel.find(id);
    if (pretrained.isPresent()) {
      Path dir = store.layout().baseModel(pretrained.get());
      return ModelDirectory.holdsModel(dir)
          ? Optional.of(
              new Served(
                  pretrained.get().shortName(),
                  new ModelRef.Pretrained(id, pretrained.get()),
                  PromptStyle.ALPACA,
                  created(dir),
                  true,
                  family(dir),
                  false,
                  null))
          : Optional.empty();
    }
    if (!store.layout().hasModel(id)) {
      return adapters.find(id).map(this::adapter);
    }
    Path dir = store.layout().model(id);
    boolean ownTemplate = ChatTemplate.declaredIn(dir) && !trainedOnSingleTurns(id);
    return Optional.of(
        new Served(
            id,
            new ModelRef.Finetuned(id),
            style(id),
            created(dir),
            false,
            family(dir),
            ownTemplate,
            null));
  }

  /** A named adapter: served over its base, in its base's prompt style or chat template. */
  private Served adapter(LoraModules.Module module) {
    PromptStyle style;
    try {
      style = chatStyle(module.base());
    } catch (IOException e) {
      LOG.warnf("adapter %s: unreadable base tokenizer config (%s); alpaca style", module, e);
      style = PromptStyle.ALPACA;
    }
    return new Served(
        module.name(),
        new ModelRef.LocalPath(module.adapter().toString()),
        style,
        module.created(),
        false,
        family(module.base()),
        ChatTemplate.declaredIn(module.base()),
        module.parent());
  }

  /**
   * The style of a model placed in the store without a training record: Llama 3's chat format when
   * its {@code tokenizer_config.json}'s chat template is Llama 3's (an Instruct checkpoint), else
   * alpaca.
   */
  private PromptStyle chatStyle(Path dir) throws IOException {
    Path config = dir.resolve("tokenizer_config.json");
    if (Files.isRegularFile(config)) {
      String template = mapper.readTree(config.toFile()).path("chat_template").asText("");
      if (template.contains("<|start_header_id|>") && template.contains("<|eot_id|>")) {
        return PromptStyle.LLAMA3;
      }
    }
    return PromptStyle.ALPACA;
  }

  /**
   * Whether a model was finetuned here on alpaca rows (its training record says a format other than
   * chat): it answers in that prompt style, not in its template.
   */
  private boolean trainedOnSingleTurns(String id) {
    Path record = store.layout().modelTrainingRecord(id);
    if (!Files.isRegularFile(record)) {
      return false;
    }
    try {
      return !"chat".equals(mapper.readTree(record.toFile()).path("format").asText());
    } catch (IOException e) {
      return true;
    }
  }

  /** The family a model directory's config names, or "unknown" when it cannot be read. */
  private static String family(Path dir) {
    try {
      return HfCheckpoint.family(HfCheckpoint.configJson(dir)).modelType();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private PromptStyle style(String id) {
    try {
      Path record = store.layout().modelTrainingRecord(id);
      if (!Files.isRegularFile(record)) {
        return chatStyle(store.layout().model(id));
      }
      if (Files.isRegularFile(record)) {
        JsonNode training = mapper.readTree(record.toFile());
        if (training.path("promptStyle").isTextual()) {
          return PromptStyle.fromId(training.get("promptStyle").asText());
        }
        String dataset = training.path("datasetId").asText(null);
        if (dataset != null && datasets.exists(dataset)) {
          return PromptStyle.fromId(datasets.manifest(dataset).promptStyle());
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warnf("model %s: unreadable training record (%s); serving it in the alpaca style", id, e);
    }
    return PromptStyle.ALPACA;
  }

  private static long created(Path dir) {
    try {
      return Files.getLastModifiedTime(dir.resolve(ModelDirectory.WEIGHTS_FILE)).toMillis() / 1000;
    } catch (IOException e) {
      return 0;
    }
  }
}
