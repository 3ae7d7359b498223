package io.llmft.models.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/** Copies of the PEFT adapter fixtures ({@code peft/} in the test resources) for service tests. */
public final class PeftFixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PeftFixtures() {}

  /**
   * The adapter in {@code source} copied to {@code dir}, its {@code base_model_name_or_path} set to
   * {@code base}'s absolute path, then its config changed by {@code edit}.
   */
  public static Path copy(Path source, Path dir, Path base, Consumer<ObjectNode> edit)
      throws IOException {
    Files.createDirectories(dir);
    Files.copy(
        source.resolve(PeftAdapters.WEIGHTS_FILE),
        dir.resolve(PeftAdapters.WEIGHTS_FILE),
        StandardCopyOption.REPLACE_EXISTING);
    ObjectNode config =
        (ObjectNode) JSON.readTree(source.resolve(PeftAdapters.CONFIG_FILE).toFile());
    config.put("base_model_name_or_path", base.toAbsolutePath().toString());
    edit.accept(config);
    JSON.writeValue(dir.resolve(PeftAdapters.CONFIG_FILE).toFile(), config);
    return dir;
  }
}
