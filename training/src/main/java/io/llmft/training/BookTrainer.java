package io.llmft.training;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.llmft.models.LanguageModel;
import io.llmft.models.engine.GradMode;
import io.llmft.training.data.Batch;
import io.llmft.training.data.BatchLoader;
import io.llmft.training.data.Loader;
import java.util.List;

/**
 * The book's {@code train_model_simple} and {@code calc_loss_loader} over a {@link LanguageModel}:
 * per batch zero-grad, loss, backward, AdamW step; {@code tokens_seen += inputs.numel()}; every
 * {@code evalFreq} steps (from step 0) the mean loss over the first {@code evalIter} batches of a
 * fresh pass over the training and validation loaders.
 */
public final class BookTrainer {
  private final LanguageModel model;
  private final NDManager manager;
  private final TrainingStep<Batch> step;

  public BookTrainer(LanguageModel model) {
    this(List.of(model));
  }

  /**
   * Trains the first of {@code replicas}, the model that is evaluated, optimized and saved; with
   * more than one, data parallel over all of them ({@link DataParallelStep}).
   */
  public BookTrainer(List<? extends LanguageModel> replicas) {
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("no model to train");
    }
    this.model = replicas.get(0);
    this.manager = model.manager();
    this.step = TrainingStep.of(List.<LanguageModel>copyOf(replicas));
  }

  /**
   * The book's {@code train_model_simple} ({@link TrainingLoop}) with its cross-entropy and {@code
   * calc_loss_loader} as the evaluation.
   */
  public TrainingLoop.Result train(
      BatchLoader trainLoader,
      BatchLoader valLoader,
      TrainingSettings settings,
      TrainingListener listener) {
    return new TrainingLoop<>(
            model,
            step,
            (loader, batches) -> EvaluationPoint.Scores.loss(calcLossLoader(loader, batches)))
        .train(trainLoader, valLoader, settings, listener);
  }

  /** One optimizer step on one batch; returns the batch loss before the update. */
  public double trainStep(Batch batch, AdamW optimizer) {
    return trainStep(batch, optimizer, optimizer.learningRate());
  }

  /** One optimizer step at learning rate {@code lr}; returns the batch loss before the update. */
  public double trainStep(Batch batch, AdamW optimizer, double lr) {
    return TrainingLoop.trainStep(model, step, batch, optimizer, lr);
  }

  /** The loss of one batch without gradients. */
  public double batchLoss(Batch batch) {
    GradMode.disable();
    try (NDScope scope = new NDScope()) {
      return Losses.batchLoss(model, batch, manager).getFloat();
    }
  }

  /**
   * The book's {@code calc_loss_loader}: the mean batch loss over the first {@code numBatches}
   * batches of one pass (all when null), NaN for an empty loader.
   */
  public double calcLossLoader(Loader<Batch> loader, Integer numBatches) {
    List<Batch> batches = loader.epoch();
    if (batches.isEmpty()) {
      return Double.NaN;
    }
    int n = numBatches == null ? batches.size() : Math.min(numBatches, batches.size());
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += batchLoss(batches.get(i));
    }
    return total / n;
  }
}
