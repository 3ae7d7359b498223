package io.llmft.core.train;

/** Progress of {@link BookTrainer#train}; every method has a no-op default. */
public interface TrainingListener {
  default void initialLosses(double train, double validation) {}

  /** After each optimizer step; {@code step} counts from 1. */
  default void stepDone(int epoch, int step, int totalSteps, double loss, long tokensSeen) {}

  /** When the run continues from a checkpoint instead of starting afresh. */
  default void resumed(TrainingCheckpoint.Progress progress) {}

  /** After a checkpoint of the first {@code step} steps has been written. */
  default void checkpointed(int step) {}

  /** At the book's evaluation points ({@code global_step % eval_freq == 0}). */
  default void evaluated(EvaluationPoint point) {}

  /** Checked before each step; true stops training early. */
  default boolean cancelled() {
    return false;
  }

  /**
   * Checked after each step of a checkpointed run; true writes a checkpoint of the steps done and
   * stops, so that the run resumes exactly there (a shutdown, or the job moving to another
   * instance).
   */
  default boolean stopRequested() {
    return false;
  }
}
