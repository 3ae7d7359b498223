package io.llmft.inference;

import io.llmft.common.store.ArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** The tiny GPT-2 fixture of the models module's tests, as a path and as a finetuned model id. */
public final class TestModels {
  public static final Path FIXTURE =
      Path.of("../models/src/test/resources/gpt2-tiny").toAbsolutePath().normalize();

  private TestModels() {}

  /** The tiny Llama 3.2 fixture (tied head, its own tokenizer.json). */
  public static final Path LLAMA =
      Path.of("../models/src/test/resources/llama-tiny").toAbsolutePath().normalize();

  /** Copies the fixture to {@code models/{id}} of the artifact store and returns the id. */
  public static String storeModel(ArtifactStore store) throws IOException {
    String id = "model-" + UUID.randomUUID();
    Path dir = store.layout().model(id);
    Files.createDirectories(dir);
    for (String f : new String[] {"config.json", "model.safetensors"}) {
      Files.copy(FIXTURE.resolve(f), dir.resolve(f));
    }
    return id;
  }

  /**
   * Copies the Llama fixture to {@code models/{id}} with a training record that says it answers in
   * {@code promptStyle}, as a Llama Instruct model finetuned here would; returns the id.
   */
  public static String storeLlama(ArtifactStore store, String promptStyle) throws IOException {
    String id = "llama-" + UUID.randomUUID();
    Path dir = store.layout().model(id);
    Files.createDirectories(dir);
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
      Files.copy(LLAMA.resolve(f), dir.resolve(f));
    }
    Files.writeString(
        store.layout().modelTrainingRecord(id), "{\"promptStyle\": \"" + promptStyle + "\"}");
    return id;
  }
}
