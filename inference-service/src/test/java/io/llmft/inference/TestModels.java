package io.llmft.inference;

import io.llmft.common.store.ArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** The tiny GPT-2 fixture of gpt-core's tests, as a path and as a finetuned model id. */
public final class TestModels {
  public static final Path FIXTURE =
      Path.of("../gpt-core/src/test/resources/gpt2-tiny").toAbsolutePath().normalize();

  private TestModels() {}

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
}
