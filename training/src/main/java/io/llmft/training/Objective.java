package io.llmft.training;

import ai.djl.ndarray.NDArray;
import io.llmft.models.LanguageModel;
import java.util.function.Supplier;

/**
 * What a training step minimises over a batch of type {@code B}: the book's cross-entropy ({@link
 * Losses#CROSS_ENTROPY}) or DPO's preference loss ({@link DpoObjective}). The step takes the
 * gradients of whatever it returns, so a new objective plugs in without another step.
 */
@FunctionalInterface
public interface Objective<B> {
  /**
   * The loss of {@code batch} on {@code model}. Called without gradients, so what needs none (a
   * frozen reference model's log-probabilities) is computed here; the supplier builds the loss, a
   * scalar, in the autograd graph of the model's trainable parameters.
   */
  Supplier<NDArray> loss(LanguageModel model, B batch);
}
