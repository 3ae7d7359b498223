package io.llmft.common.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.config.ArtifactsConfig;
import io.llmft.common.job.JobControl;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The shared artifact store ({@code ARTIFACTS_DIR}, laid out by {@link ArtifactLayout}). Every file
 * is written to a temporary name, flushed to disk and renamed into place, so a crash never leaves
 * half a file.
 */
@ApplicationScoped
public class ArtifactStore {
  private final ArtifactLayout layout;
  private final ObjectMapper mapper;

  public ArtifactStore(ArtifactsConfig config, ObjectMapper mapper) {
    this.layout = new ArtifactLayout(Path.of(config.dir()));
    this.mapper = mapper;
  }

  public ArtifactLayout layout() {
    return layout;
  }

  public Path root() {
    return layout.root();
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** Writes {@code value} atomically and durably (flushed to disk before the rename). */
  public void writeJson(Path file, Object value) {
    try {
      writeAtomically(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Writes {@code value} atomically (temporary name, rename) without waiting for the disk: for a
   * document rewritten at every training step, whose durable truth lives elsewhere (checkpoints,
   * progress logs). A crashed process loses nothing (the page cache survives it); a crashed node
   * may come back with an older copy. On a busy machine a flush can take tens of milliseconds,
   * which per step slowed training by a sixth.
   */
  public void updateJson(Path file, Object value) {
    try {
      replace(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(value), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Writes {@code value} to {@code file} unless the file exists, atomically also between processes
   * sharing the store (a hard link fails when its name is taken).
   *
   * @return false when the file existed (nothing written)
   */
  public boolean createJson(Path file, Object value) {
    Path tmp = null;
    try {
      tmp =
          writeTemporary(
              file, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(value), true);
      Files.createLink(file, tmp);
      syncDirectory(file.getParent());
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + file, e);
    } finally {
      deleteQuietly(tmp);
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
    replace(file, content, true);
  }

  /**
   * Writes a temporary file and renames it over {@code file}; durable: flushed before and after.
   */
  private static void replace(Path file, byte[] content, boolean durable) throws IOException {
    JobControl.checkCurrentOwned(); // a fenced job writes nothing more
    Path tmp = writeTemporary(file, content, durable);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      if (durable) {
        syncDirectory(file.getParent());
      }
    } finally {
      deleteQuietly(tmp);
    }
  }

  private static Path writeTemporary(Path file, byte[] content, boolean durable)
      throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
    try (FileChannel out =
        FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      if (durable) {
        out.force(true);
      }
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw e;
    }
    return tmp;
  }

  /** Makes a rename or a new name in {@code dir} durable. */
  static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory for syncing; the rename itself is atomic there.
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temporary name; nothing reads it
    }
  }
}
