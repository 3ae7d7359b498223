package io.llmft.trainer.service;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.job.Downloads;
import io.llmft.common.job.JobControl;
import io.llmft.common.rest.Validation;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.Ids;
import io.llmft.common.store.ImportRoots;
import io.llmft.core.hub.HubDownloader;
import io.llmft.core.model.Gpt2Weights;
import io.llmft.core.model.GptConfig;
import io.llmft.core.model.HfCheckpoint;
import io.llmft.trainer.config.HubConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Resolves a job's {@code baseModel}: a GPT-2 name (downloaded once from the hub into {@code
 * base-models/} of the artifact store), the id of a model finetuned here, {@code {"path": dir}}, or
 * {@code {"config": {...}, "seed": n}} for a random initialisation.
 */
@ApplicationScoped
public class BaseModels {
  private static final Set<String> CONFIG_KEYS =
      Set.of("emb_dim", "n_layers", "n_heads", "context_length", "vocab_size");

  private static final Logger LOG = Logger.getLogger(BaseModels.class);

  /** The largest random-init config accepted: twice gpt2-xl's width and context, 96 layers. */
  private static final Map<String, Integer> CONFIG_LIMITS =
      new LinkedHashMap<>(
          Map.of("emb_dim", 3200, "n_layers", 96, "n_heads", 64, "context_length", 2048));

  private final ArtifactStore store;
  private final HubDownloader hub;
  private final Downloads downloads;
  private final ImportRoots imports;

  public BaseModels(
      ArtifactStore store, Downloads downloads, HubConfig hubConfig, ImportRoots imports) {
    this.store = store;
    this.imports = imports;
    this.downloads = downloads;
    this.hub =
        new HubDownloader(
            hubConfig.endpoint(),
            hubConfig.token().orElse(null),
            store.layout().baseModels(),
            LOG::info);
  }

  /** Adds an error naming the offending field of {@code baseModel}, if any. */
  public void validate(JsonNode base, Validation v) {
    if (base == null || base.isNull()) {
      v.check(
          false,
          "baseModel",
          "is required: a GPT-2 name, a model id, {\"path\": dir} or {\"config\": {...}}");
    } else if (base.isTextual()) {
      String name = base.asText();
      v.check(
          GptConfig.isPreset(name)
              || (Ids.isValid(name) && HfCheckpoint.isCheckpoint(store.layout().model(name))),
          "baseModel",
          "'"
              + name
              + "' is neither a GPT-2 model name (gpt2-small (124M), gpt2-medium (355M), gpt2-large (774M), gpt2-xl (1558M)) nor a model finetuned here");
    } else if (base.has("path")) {
      v.check(base.size() == 1, "baseModel", "give only 'path'");
      v.check(
          base.get("path").isTextual()
              && imports
                  .resolve(base.get("path").asText())
                  .filter(HfCheckpoint::isCheckpoint)
                  .isPresent(),
          "baseModel.path",
          ImportRoots.RULE + ", with config.json and model.safetensors");
    } else if (base.has("config")) {
      JsonNode c = base.get("config");
      for (Iterator<String> it = base.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        v.check(f.equals("config") || f.equals("seed"), "baseModel." + f, "unknown field");
      }
      v.check(
          !base.has("seed") || base.get("seed").canConvertToLong(),
          "baseModel.seed",
          "must be an integer");
      if (!c.isObject()) {
        v.check(
            false,
            "baseModel.config",
            "must be an object with emb_dim, n_layers, n_heads, context_length");
        return;
      }
      for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        v.check(
            CONFIG_KEYS.contains(f),
            "baseModel.config." + f,
            "unknown field (known: " + CONFIG_KEYS + ")");
      }
      for (var limit : CONFIG_LIMITS.entrySet()) {
        String f = limit.getKey();
        v.check(
            c.path(f).canConvertToInt()
                && c.path(f).asInt() > 0
                && c.path(f).asInt() <= limit.getValue(),
            "baseModel.config." + f,
            "must be an integer from 1 to " + limit.getValue());
      }
      v.check(
          !c.has("vocab_size")
              || (c.path("vocab_size").canConvertToInt()
                  && c.path("vocab_size").asInt() >= GptConfig.GPT2_VOCAB_SIZE
                  && c.path("vocab_size").asInt() <= 2 * GptConfig.GPT2_VOCAB_SIZE),
          "baseModel.config.vocab_size",
          "must be an integer from "
              + GptConfig.GPT2_VOCAB_SIZE
              + " to "
              + 2 * GptConfig.GPT2_VOCAB_SIZE);
      v.check(
          !c.path("emb_dim").canConvertToInt()
              || !c.path("n_heads").canConvertToInt()
              || c.path("n_heads").asInt() <= 0
              || c.path("emb_dim").asInt() % c.path("n_heads").asInt() == 0,
          "baseModel.config.emb_dim",
          "must be divisible by n_heads");
    } else {
      v.check(false, "baseModel", "must be a name, {\"path\": dir} or {\"config\": {...}}");
    }
  }

  /** The pretrained files of a GPT-2 name, downloading what is missing (see {@link Downloads}). */
  Path download(String name, Consumer<String> progress, JobControl control) throws IOException {
    return downloads.attempt(
        "'" + name + "'", e -> true, control, progress, () -> hub.ensure(name));
  }

  public String describe(JsonNode base) {
    return base.isTextual() ? base.asText() : base.toString();
  }

  /** The base model's weights, in a new sub-manager of {@code manager}. */
  public Gpt2Weights load(
      JsonNode base, NDManager manager, Consumer<String> progress, JobControl control)
      throws IOException {
    if (base.isTextual()) {
      String name = base.asText();
      if (GptConfig.isPreset(name)) {
        return HfCheckpoint.loadWeights(download(name, progress, control), manager);
      }
      return HfCheckpoint.loadWeights(store.layout().model(name), manager);
    }
    if (base.has("path")) {
      return HfCheckpoint.loadWeights(
          imports.require(base.get("path").asText(), "baseModel.path"), manager);
    }
    JsonNode c = base.get("config");
    GptConfig config =
        new GptConfig(
            c.path("vocab_size").asInt(GptConfig.GPT2_VOCAB_SIZE),
            c.get("context_length").asInt(),
            c.get("emb_dim").asInt(),
            c.get("n_layers").asInt(),
            c.get("n_heads").asInt());
    return Gpt2Weights.randomInit(config, base.path("seed").asLong(123), manager);
  }
}
