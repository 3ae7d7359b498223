package io.llmft.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.llmft.core.data.Batch;
import io.llmft.core.data.BatchLoader;
import io.llmft.core.engine.GradMode;
import io.llmft.core.model.LanguageModel;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

  /** How a run ended. */
  public enum Outcome {
    /** Every step was trained. */
    FINISHED,
    /** A listener cancelled it. */
    CANCELLED,
    /** A listener stopped it at a checkpoint it can be resumed from. */
    STOPPED
  }

  /**
   * The result of a run: what it measured, where it ended, the step it resumed from (0 for a fresh
   * run) and how it ended.
   */
  public record Result(
      TrainingHistory history, LoopPosition position, int resumedFromStep, Outcome outcome) {
    public int steps() {
      return position.step();
    }

    public List<EvaluationPoint> evaluations() {
      return history.evaluations();
    }
  }

  /**
   * The book's {@code train_model_simple}: for each epoch, for each batch, one optimizer step;
   * every {@code evalFreq} steps the losses of both loaders. Listeners may restore the run from a
   * checkpoint before the first step ({@link Checkpointer}), cancel it before any step and stop it
   * after any.
   */
  public Result train(
      BatchLoader trainLoader,
      BatchLoader valLoader,
      TrainingSettings settings,
      TrainingListener listener) {
    int totalSteps = settings.totalSteps(trainLoader.batchCount());
    Map<String, NDArray> trainable = model.trainableParameters();
    LearningRateSchedule schedule = settings.schedule();
    try (AdamW optimizer =
        new AdamW(trainable, settings.learningRate(), settings.weightDecay(), manager)) {
      Optional<TrainingCheckpoint.Snapshot> resumed = listener.restore(trainable, optimizer);
      step.prepare();
      LoopPosition position;
      TrainingHistory history;
      if (resumed.isPresent()) {
        position = resumed.get().position();
        history = resumed.get().history();
        listener.resumed(resumed.get());
      } else {
        position = LoopPosition.START;
        history =
            new TrainingHistory(
                calcLossLoader(trainLoader, settings.evalIter()),
                calcLossLoader(valLoader, settings.evalIter()),
                List.of());
        listener.started(history);
      }
      int resumedFrom = position.step();
      for (int epoch = position.epoch(); epoch <= settings.epochs(); epoch++) {
        LoopPosition.Epoch entered = position.enter(epoch, trainLoader);
        position = entered.position();
        for (Batch batch : entered.remaining()) {
          if (position.step() >= totalSteps) {
            listener.finished(position);
            return new Result(history, position, resumedFrom, Outcome.FINISHED);
          }
          if (listener.cancelled()) {
            return new Result(history, position, resumedFrom, Outcome.CANCELLED);
          }
          double loss = trainStep(batch, optimizer, schedule.at(position.step(), totalSteps));
          if (!Double.isFinite(loss)) {
            throw new ArithmeticException(
                "training diverged: the loss of step " + (position.step() + 1) + " is " + loss);
          }
          position = position.after(batch); // tokens_seen += ...; global_step += 1
          listener.stepDone(position, totalSteps, loss);
          if (position.globalStep() % settings.evalFreq() == 0) {
            EvaluationPoint point =
                new EvaluationPoint(
                    position.globalStep(),
                    epoch,
                    calcLossLoader(trainLoader, settings.evalIter()),
                    calcLossLoader(valLoader, settings.evalIter()),
                    position.tokensSeen());
            history = history.with(point);
            listener.evaluated(point);
          }
          position = position.withLoaderPasses(trainLoader.passes());
          if (listener.stopAfter(
              new TrainingListener.LoopState(
                  position, history, totalSteps, trainable, optimizer))) {
            return new Result(history, position, resumedFrom, Outcome.STOPPED);
          }
        }
        listener.epochEnded(position);
      }
      listener.finished(position);
      return new Result(history, position, resumedFrom, Outcome.FINISHED);
    }
  }

  /** One optimizer step on one batch; returns the batch loss before the update. */
  public double trainStep(Batch batch, AdamW optimizer) {
    return trainStep(batch, optimizer, optimizer.learningRate());
  }

  /** One optimizer step at learning rate {@code lr}; returns the batch loss before the update. */
  public double trainStep(Batch batch, AdamW optimizer, double lr) {
    GradMode.disable();
    try (BatchGradients gradients = step.backward(batch)) {
      optimizer.step(model.trainableParameters(), gradients.gradients(), lr);
      step.updated();
      return gradients.loss();
    }
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
