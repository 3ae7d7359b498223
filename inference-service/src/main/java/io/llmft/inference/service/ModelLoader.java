package io.llmft.inference.service;

import ai.djl.ndarray.NDManager;
import io.llmft.models.Adapter;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelFamily;
import io.llmft.models.ServingPrecision;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.engine.DjlRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a model directory into the engine: what {@link ModelCache} does outside its lock. */
@ApplicationScoped
public class ModelLoader {
  private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);
  private final Map<String, ServingPrecision.Choice> choices = new ConcurrentHashMap<>();

  /** The model in fp32. */
  public LanguageModel load(Path dir, NDManager manager) throws IOException {
    return HfCheckpoint.load(dir, manager);
  }

  /**
   * The model in what {@code requested} ({@code serving.precision}) becomes for its family on this
   * device ({@link #choice}).
   */
  public LanguageModel load(Path dir, NDManager manager, ServingPrecision requested)
      throws IOException {
    if (requested == ServingPrecision.FP32) {
      return load(dir, manager);
    }
    ModelFamily family = HfCheckpoint.readConfig(dir).family();
    return ServingPrecision.build(
        HfCheckpoint.loadWeights(dir, manager), choice(requested, family), Adapter.NONE);
  }

  /**
   * What a model of {@code family} is served in when {@code requested}; said once in the log, as a
   * warning where bf16 was asked for and the model is served in fp32.
   */
  public ServingPrecision.Choice choice(ServingPrecision requested, ModelFamily family) {
    return choices.computeIfAbsent(
        requested.id() + "/" + family.modelType(),
        key -> {
          ServingPrecision.Choice c = requested.on(DjlRuntime.device(), family);
          if (c.served() != c.requested()) {
            LOG.warn("serving.precision={}: {} models are {}", requested.id(), family, c.reason());
          } else if (requested != ServingPrecision.FP32) {
            LOG.info(
                "serving.precision={}: {} models are served in {} ({})",
                requested.id(),
                family,
                c.served().id(),
                c.reason());
          }
          return c;
        });
  }
}
