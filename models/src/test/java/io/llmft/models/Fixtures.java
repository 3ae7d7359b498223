package io.llmft.models;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tiny model directories of {@code models/src/test/resources} (their numbers computed by
 * PyTorch, see tools/golden), found by path so that the tests of every module read the same files:
 * Maven runs a module's tests in that module's directory.
 */
public final class Fixtures {
  private static final Path ROOT = Path.of("..", "models", "src", "test", "resources");

  private Fixtures() {}

  /** The model directory {@code name} ({@code gpt2-tiny}, {@code llama-tiny}, ...). */
  public static Path model(String name) {
    Path dir = ROOT.resolve(name).toAbsolutePath().normalize();
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      throw new IllegalStateException(
          "no model fixture at " + dir + " (tests run in a module directory of this build)");
    }
    return dir;
  }
}
