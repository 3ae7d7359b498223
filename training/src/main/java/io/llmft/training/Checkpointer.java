package io.llmft.training;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Makes a run resumable: continues from the latest {@link TrainingCheckpoint} in its directory when
 * there is one (same batches, same optimizer state: the losses are those of an uninterrupted run),
 * writes one every {@code every} optimizer steps, and when a stop is requested (a shutdown, the job
 * moving to another instance) writes one of the steps done and stops the run there.
 */
public final class Checkpointer implements TrainingListener {
  private final Path dir;
  private final int every;
  private final BooleanSupplier stopRequested;
  private final IntConsumer saved;

  /**
   * @param stopRequested asked after each step
   * @param saved told the step of each checkpoint written
   */
  public Checkpointer(Path dir, int every, BooleanSupplier stopRequested, IntConsumer saved) {
    if (every <= 0) {
      throw new IllegalArgumentException("checkpoint interval must be positive");
    }
    this.dir = dir;
    this.every = every;
    this.stopRequested = stopRequested;
    this.saved = saved;
  }

  @Override
  public Optional<TrainingCheckpoint.Snapshot> restore(
      Map<String, NDArray> trainable, AdamW optimizer) {
    try {
      return TrainingCheckpoint.exists(dir)
          ? Optional.of(TrainingCheckpoint.load(dir, trainable, optimizer))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("training checkpoint in " + dir, e);
    }
  }

  @Override
  public boolean stopAfter(LoopState state) {
    int step = state.position().step();
    if (step >= state.totalSteps()) {
      return false; // the run is over: its model is saved instead
    }
    boolean stop = stopRequested.getAsBoolean();
    if (stop || step % every == 0) {
      try {
        TrainingCheckpoint.save(
            dir,
            state.trainable(),
            state.optimizer(),
            new TrainingCheckpoint.Snapshot(state.position(), state.history()));
      } catch (IOException e) {
        throw new UncheckedIOException("training checkpoint in " + dir, e);
      }
      saved.accept(step);
    }
    return stop;
  }
}
