package io.llmft.trainer.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The trainer's meters: {@code llmft_training_tokens_total} and {@code llmft_training_steps_total}
 * (their rates are tokens/s and steps/s), {@code llmft_training_step_loss} (the last step's batch
 * loss) and {@code llmft_training_loss{split}} (the last evaluation's losses).
 */
@Singleton
public class TrainingMeters {
  private final Counter tokens;
  private final Counter steps;
  private final AtomicReference<Double> stepLoss = new AtomicReference<>(Double.NaN);
  private final AtomicReference<Double> trainLoss = new AtomicReference<>(Double.NaN);
  private final AtomicReference<Double> valLoss = new AtomicReference<>(Double.NaN);

  public TrainingMeters(MeterRegistry registry) {
    tokens =
        Counter.builder("llmft.training.tokens")
            .description("input tokens trained on")
            .register(registry);
    steps =
        Counter.builder("llmft.training.steps").description("optimizer steps").register(registry);
    Gauge.builder("llmft.training.step.loss", stepLoss, AtomicReference::get)
        .description("the last optimizer step's batch loss")
        .register(registry);
    Gauge.builder("llmft.training.loss", trainLoss, AtomicReference::get)
        .tag("split", "train")
        .description("the last evaluation's loss")
        .register(registry);
    Gauge.builder("llmft.training.loss", valLoss, AtomicReference::get)
        .tag("split", "validation")
        .description("the last evaluation's loss")
        .register(registry);
  }

  void stepped(long newTokens, double loss) {
    tokens.increment(newTokens);
    steps.increment();
    stepLoss.set(loss);
  }

  void evaluated(double train, double validation) {
    trainLoss.set(train);
    valLoss.set(validation);
  }
}
