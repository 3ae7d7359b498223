package io.llmft.training;

import java.util.Locale;

/**
 * The learning rate of each optimizer step. The book's chapter 7 keeps it constant; its appendix D
 * ({@code train_model}) warms it up linearly and decays it along a cosine, which is what a model
 * trained from scratch needs to take a high rate without diverging.
 *
 * @param peak the rate after the warmup (the job's {@code learningRate})
 * @param warmupSteps steps over which the rate climbs linearly to {@code peak}: step {@code s}
 *     (0-based) uses {@code peak * (s + 1) / warmupSteps}; 0 for none
 * @param decay what happens after the warmup
 */
public record LearningRateSchedule(double peak, int warmupSteps, Decay decay) {
  /** After the warmup: {@code NONE} keeps the peak, {@code COSINE} ends at a tenth of it. */
  public enum Decay {
    NONE,
    COSINE;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Decay fromId(String id) {
      return valueOf(id.toUpperCase(Locale.ROOT));
    }
  }

  /** The floor of the cosine decay, as a fraction of the peak (appendix D's {@code min_lr}). */
  public static final double COSINE_FLOOR = 0.1;

  public LearningRateSchedule {
    if (!(peak > 0)) {
      throw new IllegalArgumentException("the learning rate must be positive");
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warmupSteps must not be negative");
    }
  }

  public static LearningRateSchedule constant(double rate) {
    return new LearningRateSchedule(rate, 0, Decay.NONE);
  }

  /** The rate of optimizer step {@code step} (0-based) of a run of {@code totalSteps}. */
  public double at(int step, int totalSteps) {
    if (step < warmupSteps) {
      return peak * (step + 1) / warmupSteps;
    }
    if (decay == Decay.NONE || totalSteps <= warmupSteps + 1) {
      return peak;
    }
    double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps - 1);
    double floor = peak * COSINE_FLOOR;
    return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, progress)));
  }
}
