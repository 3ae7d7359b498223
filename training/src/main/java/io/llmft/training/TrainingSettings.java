package io.llmft.training;

/**
 * The book's hyper-parameters for chapter 7 are the defaults: 2 epochs, batch 8, AdamW lr 5e-5,
 * weight decay 0.1, evaluation every 5 steps over 5 batches, seed 123, shuffled training data.
 *
 * @param maxSteps stop after this many optimizer steps (null: run every epoch)
 * @param warmupSteps and {@code decay}: the learning-rate schedule around {@code learningRate}
 *     ({@link LearningRateSchedule}); the book's chapter 7 has none (0, {@code NONE})
 */
public record TrainingSettings(
    int epochs,
    int batchSize,
    double learningRate,
    double weightDecay,
    int evalFreq,
    int evalIter,
    long seed,
    boolean shuffle,
    Integer maxSteps,
    int warmupSteps,
    LearningRateSchedule.Decay decay) {

  public static TrainingSettings book() {
    return new TrainingSettings(
        2, 8, 5e-5, 0.1, 5, 5, 123, true, null, 0, LearningRateSchedule.Decay.NONE);
  }

  /**
   * The DPO notebook's settings: 1 epoch, batch 8, AdamW lr 5e-6 and weight decay 0.01, evaluation
   * every 5 steps over 5 batches, seed 123, a shuffled training loader.
   */
  public static TrainingSettings dpoNotebook() {
    return new TrainingSettings(
        1, 8, 5e-6, 0.01, 5, 5, 123, true, null, 0, LearningRateSchedule.Decay.NONE);
  }

  public LearningRateSchedule schedule() {
    return new LearningRateSchedule(learningRate, warmupSteps, decay);
  }

  public TrainingSettings {
    if (epochs <= 0) {
      throw new IllegalArgumentException("epochs must be positive");
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive");
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learningRate must be positive");
    }
    if (weightDecay < 0) {
      throw new IllegalArgumentException("weightDecay must not be negative");
    }
    if (evalFreq <= 0 || evalIter <= 0) {
      throw new IllegalArgumentException("evalFreq and evalIter must be positive");
    }
    if (maxSteps != null && maxSteps <= 0) {
      throw new IllegalArgumentException("maxSteps must be positive");
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warmupSteps must not be negative");
    }
    if (decay == null) {
      throw new IllegalArgumentException("decay is required");
    }
  }

  /** Optimizer steps of a run: every batch of every epoch, at most {@code maxSteps}. */
  public int totalSteps(int batchesPerEpoch) {
    int all = epochs * batchesPerEpoch;
    return maxSteps == null ? all : Math.min(all, maxSteps);
  }
}
