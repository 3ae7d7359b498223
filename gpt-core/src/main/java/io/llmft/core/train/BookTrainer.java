package io.llmft.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import io.llmft.core.data.Batch;
import io.llmft.core.data.BatchLoader;
import io.llmft.core.model.Gpt2Model;
import java.util.ArrayList;
import java.util.List;

/**
 * The book's {@code train_model_simple} and {@code calc_loss_loader} over a {@link Gpt2Model}: per
 * batch zero-grad, loss, backward, AdamW step; {@code tokens_seen += inputs.numel()}; every {@code
 * evalFreq} steps (from step 0) the mean loss over the first {@code evalIter} batches of a fresh
 * pass over the training and validation loaders.
 */
public final class BookTrainer {
  private final Gpt2Model model;
  private final NDManager manager;

  public BookTrainer(Gpt2Model model) {
    this.model = model;
    this.manager = model.manager();
  }

  /** The result of a run: the evaluation points and whether it was cancelled. */
  public record Result(
      double initialTrainLoss,
      double initialValLoss,
      List<EvaluationPoint> evaluations,
      int steps,
      long tokensSeen,
      boolean cancelled) {}

  public Result train(
      BatchLoader trainLoader,
      BatchLoader valLoader,
      TrainingSettings settings,
      TrainingListener listener) {
    for (NDArray p : model.trainableParameters().values()) {
      p.setRequiresGradient(true);
    }
    double initialTrain = calcLossLoader(trainLoader, settings.evalIter());
    double initialVal = calcLossLoader(valLoader, settings.evalIter());
    listener.initialLosses(initialTrain, initialVal);

    int totalSteps = settings.epochs() * trainLoader.batchCount();
    if (settings.maxSteps() != null) {
      totalSteps = Math.min(totalSteps, settings.maxSteps());
    }
    List<EvaluationPoint> evaluations = new ArrayList<>();
    long tokensSeen = 0;
    int globalStep = -1;
    try (AdamW optimizer =
        new AdamW(
            model.trainableParameters(),
            settings.learningRate(),
            settings.weightDecay(),
            manager)) {
      for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
        for (Batch batch : trainLoader.epoch()) {
          if (globalStep + 1 >= totalSteps || listener.cancelled()) {
            return new Result(
                initialTrain,
                initialVal,
                evaluations,
                globalStep + 1,
                tokensSeen,
                globalStep + 1 < totalSteps);
          }
          double loss = trainStep(batch, optimizer);
          if (!Double.isFinite(loss)) {
            throw new ArithmeticException(
                "training diverged: the loss of step " + (globalStep + 2) + " is " + loss);
          }
          tokensSeen += batch.tokenCount();
          globalStep++;
          listener.stepDone(epoch, globalStep + 1, totalSteps, loss, tokensSeen);
          if (globalStep % settings.evalFreq() == 0) {
            EvaluationPoint point =
                new EvaluationPoint(
                    globalStep,
                    epoch,
                    calcLossLoader(trainLoader, settings.evalIter()),
                    calcLossLoader(valLoader, settings.evalIter()),
                    tokensSeen);
            evaluations.add(point);
            listener.evaluated(point);
          }
        }
      }
    }
    return new Result(initialTrain, initialVal, evaluations, globalStep + 1, tokensSeen, false);
  }

  /** One optimizer step on one batch; returns the batch loss before the update. */
  public double trainStep(Batch batch, AdamW optimizer) {
    GradMode.disable();
    double loss;
    try (NDScope scope = new NDScope();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray lossArray = Losses.batchLoss(model, batch, manager);
      collector.backward(lossArray);
      loss = lossArray.getFloat();
    }
    optimizer.step(model.trainableParameters());
    return loss;
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
  public double calcLossLoader(BatchLoader loader, Integer numBatches) {
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
