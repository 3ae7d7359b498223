package io.llmft.common;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The shared artifact store ({@code ARTIFACTS_DIR}): {@code datasets/}, {@code base-models/},
 * {@code models/}, {@code responses/}, {@code scores/}, {@code jobs/}. Every file is written to a
 * temporary name and renamed into place.
 */
@ApplicationScoped
public class ArtifactStore {
  private final Path root;
  private final ObjectMapper mapper;

  public ArtifactStore(@ConfigProperty(name = "artifacts.dir") String root, ObjectMapper mapper) {
    this.root = Path.of(root).toAbsolutePath().normalize();
    this.mapper = mapper;
  }

  public Path root() {
    return root;
  }

  /** {@code root/area/id}, the id validated so it cannot leave the area. */
  public Path dir(String area, String id) {
    Ids.require(id, "id");
    return root.resolve(area).resolve(id);
  }

  public void writeJson(Path file, Object value) {
    try {
      writeAtomically(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  public <T> T readJson(Path file, Class<T> type) {
    try {
      return mapper.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  public static void writeAtomically(Path file, byte[] content) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      Files.write(tmp, content);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
