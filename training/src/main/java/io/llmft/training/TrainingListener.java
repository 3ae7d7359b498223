package io.llmft.training;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What watches the loop of {@link BookTrainer#train}: progress reporting, checkpointing, a cancel
 * flag. Every method has a no-op default.
 */
public interface TrainingListener {
  /**
   * Before the first step: where to continue from instead of starting afresh, after putting the
   * trainable weights and the optimizer's state where they were.
   */
  default Optional<TrainingCheckpoint.Snapshot> restore(
      Map<String, NDArray> trainable, AdamW optimizer) {
    return Optional.empty();
  }

  /** A fresh run measured its losses before the first step. */
  default void started(TrainingHistory history) {}

  /** The run continues from a checkpoint. */
  default void resumed(TrainingCheckpoint.Snapshot snapshot) {}

  /** After each optimizer step. */
  default void stepDone(LoopPosition position, int totalSteps, double loss) {}

  /** At the book's evaluation points ({@code global_step % eval_freq == 0}). */
  default void evaluated(EvaluationPoint point) {}

  /** After the last batch of an epoch. */
  default void epochEnded(LoopPosition position) {}

  /** The run trained every step it had (not when cancelled or stopped). */
  default void finished(LoopPosition position) {}

  /**
   * After each step and its evaluation, with everything a checkpoint holds; true stops the run
   * there (it can be resumed from what the listener saved).
   */
  default boolean stopAfter(LoopState state) {
    return false;
  }

  /** Checked before each step; true ends training early, for good. */
  default boolean cancelled() {
    return false;
  }

  /** The loop after a step: its position and history, and the state a checkpoint saves. */
  record LoopState(
      LoopPosition position,
      TrainingHistory history,
      int totalSteps,
      Map<String, NDArray> trainable,
      AdamW optimizer) {}

  /**
   * All of {@code listeners}, in order: the first restore found wins, any stop or cancel counts.
   */
  static TrainingListener all(List<TrainingListener> listeners) {
    return new TrainingListener() {
      @Override
      public Optional<TrainingCheckpoint.Snapshot> restore(
          Map<String, NDArray> trainable, AdamW optimizer) {
        for (TrainingListener l : listeners) {
          Optional<TrainingCheckpoint.Snapshot> found = l.restore(trainable, optimizer);
          if (found.isPresent()) {
            return found;
          }
        }
        return Optional.empty();
      }

      @Override
      public void started(TrainingHistory history) {
        listeners.forEach(l -> l.started(history));
      }

      @Override
      public void resumed(TrainingCheckpoint.Snapshot snapshot) {
        listeners.forEach(l -> l.resumed(snapshot));
      }

      @Override
      public void stepDone(LoopPosition position, int totalSteps, double loss) {
        listeners.forEach(l -> l.stepDone(position, totalSteps, loss));
      }

      @Override
      public void evaluated(EvaluationPoint point) {
        listeners.forEach(l -> l.evaluated(point));
      }

      @Override
      public void epochEnded(LoopPosition position) {
        listeners.forEach(l -> l.epochEnded(position));
      }

      @Override
      public void finished(LoopPosition position) {
        listeners.forEach(l -> l.finished(position));
      }

      @Override
      public boolean stopAfter(LoopState state) {
        boolean stop = false;
        for (TrainingListener l : listeners) {
          stop |= l.stopAfter(state);
        }
        return stop;
      }

      @Override
      public boolean cancelled() {
        return listeners.stream().anyMatch(TrainingListener::cancelled);
      }
    };
  }
}
