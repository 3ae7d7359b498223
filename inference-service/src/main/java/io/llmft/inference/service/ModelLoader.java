package io.llmft.inference.service;

import ai.djl.ndarray.NDManager;
import io.llmft.models.LanguageModel;
import io.llmft.models.checkpoint.HfCheckpoint;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;

/** Reads a model directory into the engine: what {@link ModelCache} does outside its lock. */
@ApplicationScoped
public class ModelLoader {
  public LanguageModel load(Path dir, NDManager manager) throws IOException {
    return HfCheckpoint.load(dir, manager);
  }
}
