package io.llmft.training;

import ai.djl.ndarray.NDArray;
import io.llmft.models.LanguageModel;
import io.llmft.models.engine.GradMode;
import io.llmft.training.data.Loader;
import io.llmft.training.data.TrainingBatch;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The book's training loop over any objective: per batch the step's loss and backward, an AdamW
 * step over the model's trainable parameters, {@code tokens_seen += numel()} and {@code global_step
 * += 1}; every {@code evalFreq} steps (from step 0) the {@link Evaluator}'s scores over the first
 * {@code evalIter} batches of a fresh pass over the training and validation loaders. The book's
 * {@code train_model_simple} ({@link BookTrainer}) and the DPO notebook's {@code
 * train_model_dpo_simple} ({@link DpoTrainer}) are this loop with their own step and evaluation.
 */
public final class TrainingLoop<B extends TrainingBatch> {
  private final LanguageModel model;
  private final TrainingStep<B> step;
  private final Evaluator<B> evaluator;

  /** What the loop measures at an evaluation point. */
  @FunctionalInterface
  public interface Evaluator<B extends TrainingBatch> {
    /** The scores over the first {@code numBatches} batches of one pass (all when null). */
    EvaluationPoint.Scores scores(Loader<B> loader, Integer numBatches);
  }

  TrainingLoop(LanguageModel model, TrainingStep<B> step, Evaluator<B> evaluator) {
    this.model = model;
    this.step = step;
    this.evaluator = evaluator;
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
      Loader<B> trainLoader,
      Loader<B> valLoader,
      TrainingSettings settings,
      TrainingListener listener) {
    int totalSteps = settings.totalSteps(trainLoader.batchCount());
    Map<String, NDArray> trainable = model.trainableParameters();
    LearningRateSchedule schedule = settings.schedule();
    try (AdamW optimizer =
        new AdamW(trainable, settings.learningRate(), settings.weightDecay(), model.manager())) {
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
                evaluator.scores(trainLoader, settings.evalIter()).loss(),
                evaluator.scores(valLoader, settings.evalIter()).loss(),
                List.of());
        listener.started(history);
      }
      int resumedFrom = position.step();
      for (int epoch = position.epoch(); epoch <= settings.epochs(); epoch++) {
        LoopPosition.Epoch<B> entered = position.enter(epoch, trainLoader);
        position = entered.position();
        for (B batch : entered.remaining()) {
          if (position.step() >= totalSteps) {
            listener.finished(position);
            return new Result(history, position, resumedFrom, Outcome.FINISHED);
          }
          if (listener.cancelled()) {
            return new Result(history, position, resumedFrom, Outcome.CANCELLED);
          }
          double loss =
              trainStep(model, step, batch, optimizer, schedule.at(position.step(), totalSteps));
          if (!Double.isFinite(loss)) {
            throw new ArithmeticException(
                "training diverged: the loss of step " + (position.step() + 1) + " is " + loss);
          }
          position = position.after(batch); // tokens_seen += ...; global_step += 1
          listener.stepDone(position, totalSteps, loss);
          if (position.globalStep() % settings.evalFreq() == 0) {
            EvaluationPoint point =
                EvaluationPoint.of(
                    position.globalStep(),
                    epoch,
                    position.tokensSeen(),
                    evaluator.scores(trainLoader, settings.evalIter()),
                    evaluator.scores(valLoader, settings.evalIter()));
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

  /** One optimizer step at learning rate {@code lr}; returns the batch loss before the update. */
  static <B> double trainStep(
      LanguageModel model, TrainingStep<B> step, B batch, AdamW optimizer, double lr) {
    GradMode.disable();
    try (BatchGradients gradients = step.backward(batch)) {
      optimizer.step(model.trainableParameters(), gradients.gradients(), lr);
      step.updated();
      return gradients.loss();
    }
  }
}
