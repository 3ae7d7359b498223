package io.llmft.training;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.models.FileTrees;
import io.llmft.models.Safetensors;
import io.llmft.models.engine.GradMode;
import io.llmft.models.engine.NativeArrays;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A run's resumable state: the trainable weights (every parameter, or only the LoRA adapters), the
 * AdamW moments and where the loop was. Each checkpoint is a directory {@code step-NNNNNNNN} that
 * is complete before the file {@code latest} is atomically replaced to name it; older ones are then
 * removed, so a crash at any point leaves the previous checkpoint readable.
 *
 * <p>{@code progress.json} carries the format's version ({@link #FORMAT}). A release reads every
 * version up to its own: 1, the layout before the version was written down, is read as 2 (the same
 * fields); a later one is refused by its number, since its fields may mean something else.
 */
public final class TrainingCheckpoint {
  static final String WEIGHTS_FILE = "trainable.safetensors";
  static final String OPTIMIZER_FILE = "optimizer.safetensors";
  static final String PROGRESS_FILE = "progress.json";
  static final String LATEST_FILE = "latest";

  /** The version of the checkpoint format this release writes. */
  public static final int FORMAT = 2;

  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainingCheckpoint() {}

  /** Where the loop stood and what it had measured. */
  public record Snapshot(LoopPosition position, TrainingHistory history) {}

  /** Whether {@code dir} holds a complete checkpoint. */
  public static boolean exists(Path dir) throws IOException {
    return latest(dir) != null;
  }

  /** Writes a new checkpoint and then drops the older ones. */
  public static void save(
      Path dir, Map<String, NDArray> trainable, AdamW optimizer, Snapshot snapshot)
      throws IOException {
    Files.createDirectories(dir);
    String name = String.format("step-%08d", snapshot.position().step());
    Path tmp = dir.resolve("." + name + ".tmp-" + UUID.randomUUID());
    Files.createDirectories(tmp);
    try {
      Safetensors.write(tmp.resolve(WEIGHTS_FILE), trainable);
      Safetensors.write(tmp.resolve(OPTIMIZER_FILE), optimizer.moments());
      Files.write(
          tmp.resolve(PROGRESS_FILE),
          JSON.writerWithDefaultPrettyPrinter()
              .writeValueAsBytes(new Stored(FORMAT, optimizer.stepCount(), snapshot)));
      Path target = dir.resolve(name);
      FileTrees.deleteRecursively(target);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      FileTrees.deleteRecursively(tmp);
      throw e;
    }
    Path pointer = dir.resolve("." + LATEST_FILE + ".tmp-" + UUID.randomUUID());
    Files.writeString(pointer, name, StandardCharsets.UTF_8);
    Files.move(
        pointer,
        dir.resolve(LATEST_FILE),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path old : entries.filter(p -> !p.getFileName().toString().equals(name)).toList()) {
        if (Files.isDirectory(old)) {
          FileTrees.deleteRecursively(old);
        }
      }
    }
  }

  /**
   * Loads the latest checkpoint into the trainable arrays and the optimizer (which must have been
   * made for the same parameters) and returns where the loop stood and what it had measured.
   */
  public static Snapshot load(Path dir, Map<String, NDArray> trainable, AdamW optimizer)
      throws IOException {
    Path checkpoint = latest(dir);
    if (checkpoint == null) {
      throw new IOException("no training checkpoint in " + dir);
    }
    Stored stored = readProgress(checkpoint);
    GradMode.disable();
    copyInto(checkpoint.resolve(WEIGHTS_FILE), trainable, checkpoint);
    copyInto(checkpoint.resolve(OPTIMIZER_FILE), optimizer.moments(), checkpoint);
    optimizer.restoreStepCount(stored.optimizerSteps());
    return stored.snapshot();
  }

  /**
   * Sets each target array from the file's tensor of the same name, one tensor at a time; every
   * target must be there with its size.
   */
  private static void copyInto(Path file, Map<String, NDArray> targets, Path checkpoint)
      throws IOException {
    java.util.Set<String> missing = new java.util.LinkedHashSet<>(targets.keySet());
    Safetensors.forEach(
        file,
        (name, tensor) -> {
          NDArray target = targets.get(name);
          if (target == null) {
            return;
          }
          if (tensor.data().length != target.size()) {
            throw new IOException(
                checkpoint + " does not match the model: " + name + " has another shape");
          }
          NativeArrays.copyInto(target, tensor.data());
          missing.remove(name);
        });
    if (!missing.isEmpty()) {
      throw new IOException(
          checkpoint + " does not match the model: " + missing.iterator().next() + " is missing");
    }
  }

  /** Removes every checkpoint of a run (after it finished). */
  public static void delete(Path dir) throws IOException {
    FileTrees.deleteRecursively(dir);
  }

  private static Path latest(Path dir) throws IOException {
    Path pointer = dir.resolve(LATEST_FILE);
    if (!Files.isRegularFile(pointer)) {
      return null;
    }
    Path checkpoint = dir.resolve(Files.readString(pointer, StandardCharsets.UTF_8).trim());
    if (!Files.isRegularFile(checkpoint.resolve(PROGRESS_FILE))) {
      throw new IOException(pointer + " names " + checkpoint + ", which is incomplete");
    }
    return checkpoint;
  }

  private static Stored readProgress(Path checkpoint) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode progress =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            JSON.readTree(checkpoint.resolve(PROGRESS_FILE).toFile());
    int format = progress.path("format").asInt(1); // format 1 did not write its version
    if (format < 1 || format > FORMAT) {
      throw new IOException(
          checkpoint
              + " is a training checkpoint of format version "
              + format
              + "; this release reads versions 1 to "
              + FORMAT
              + ": resume the job with the release that wrote it, or delete its checkpoints to"
              + " start it again");
    }
    progress.put("format", format);
    return JSON.treeToValue(progress, Stored.class);
  }

  /** What {@code progress.json} holds; {@code format} is {@link #FORMAT} when written. */
  private record Stored(int format, int optimizerSteps, Snapshot snapshot) {}
}
