package io.llmft.training;

import io.llmft.models.LanguageModel;
import io.llmft.training.data.Batch;
import java.util.List;

/**
 * The forward and backward pass of one optimizer step on the device(s) a model trains on, as DJL
 * keeps the device split inside {@code trainBatch}: one model, or data-parallel replicas.
 */
interface TrainingStep<B> {
  /** Before the first step: the replicas hold the model's weights and track gradients. */
  void prepare();

  /** The batch's loss and the gradients of the first model's trainable parameters. */
  BatchGradients backward(B batch);

  /** After the optimizer updated the first model. */
  void updated();

  /** The cross-entropy step over one model or data-parallel replicas. */
  static TrainingStep<Batch> of(List<LanguageModel> replicas) {
    return of(
        replicas, replicas.stream().map(r -> Losses.CROSS_ENTROPY).toList(), BatchSplit.TARGETS);
  }

  /** An objective's step over one model or data-parallel replicas (an objective per replica). */
  static <B> TrainingStep<B> of(
      List<LanguageModel> replicas, List<? extends Objective<B>> objectives, BatchSplit<B> split) {
    return replicas.size() == 1
        ? new SingleDeviceStep<>(replicas.get(0), objectives.get(0))
        : new DataParallelStep<>(replicas, objectives, split);
  }
}
