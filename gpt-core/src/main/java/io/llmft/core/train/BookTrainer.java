package io.llmft.core.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.llmft.core.data.Batch;
import io.llmft.core.data.BatchLoader;
import io.llmft.core.engine.GradMode;
import io.llmft.core.model.Gpt2Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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
  private final TrainingStep step;

  public BookTrainer(Gpt2Model model) {
    this(List.of(model));
  }

  /**
   * Trains the first of {@code replicas}, the model that is evaluated, optimized and saved; with
   * more than one, data parallel over all of them ({@link DataParallelStep}).
   */
  public BookTrainer(List<Gpt2Model> replicas) {
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("no model to train");
    }
    this.model = replicas.get(0);
    this.manager = model.manager();
    this.step = TrainingStep.of(List.copyOf(replicas));
  }

  /**
   * The result of a run: the evaluation points, the step it resumed from (0 for a fresh run),
   * whether it was cancelled, and whether it stopped early at a checkpoint it can resume from.
   */
  public record Result(
      double initialTrainLoss,
      double initialValLoss,
      List<EvaluationPoint> evaluations,
      int steps,
      long tokensSeen,
      int resumedFromStep,
      boolean cancelled,
      boolean stopped) {}

  /** Saves a {@link TrainingCheckpoint} into {@code dir} every {@code every} optimizer steps. */
  public record Checkpointing(Path dir, int every) {
    public Checkpointing {
      if (every <= 0) {
        throw new IllegalArgumentException("checkpoint interval must be positive");
      }
    }
  }

  public Result train(
      BatchLoader trainLoader,
      BatchLoader valLoader,
      TrainingSettings settings,
      TrainingListener listener) {
    return train(trainLoader, valLoader, settings, listener, null);
  }

  /**
   * Runs the loop; with {@code checkpointing}, continues from the latest checkpoint in its
   * directory when there is one (same batches, same optimizer state: the losses are those of an
   * uninterrupted run) and writes new ones as it goes.
   */
  public Result train(
      BatchLoader trainLoader,
      BatchLoader valLoader,
      TrainingSettings settings,
      TrainingListener listener,
      Checkpointing checkpointing) {
    int totalSteps = settings.epochs() * trainLoader.batchCount();
    if (settings.maxSteps() != null) {
      totalSteps = Math.min(totalSteps, settings.maxSteps());
    }
    try (AdamW optimizer =
        new AdamW(
            model.trainableParameters(),
            settings.learningRate(),
            settings.weightDecay(),
            manager)) {
      TrainingCheckpoint.Progress resume =
          checkpointing != null && TrainingCheckpoint.exists(checkpointing.dir())
              ? TrainingCheckpoint.load(checkpointing.dir(), model.trainableParameters(), optimizer)
              : null;
      step.prepare();
      double initialTrain;
      double initialVal;
      List<EvaluationPoint> evaluations = new ArrayList<>();
      long tokensSeen = 0;
      int globalStep = -1;
      int startEpoch = 1;
      if (resume == null) {
        initialTrain = calcLossLoader(trainLoader, settings.evalIter());
        initialVal = calcLossLoader(valLoader, settings.evalIter());
        listener.initialLosses(initialTrain, initialVal);
      } else {
        initialTrain = resume.initialTrainLoss();
        initialVal = resume.initialValLoss();
        evaluations.addAll(resume.evaluations());
        tokensSeen = resume.tokensSeen();
        globalStep = resume.step() - 1;
        startEpoch = resume.epoch();
        trainLoader.restorePasses(resume.epochPass());
        listener.resumed(resume);
      }
      int resumedFrom = resume == null ? 0 : resume.step();
      for (int epoch = startEpoch; epoch <= settings.epochs(); epoch++) {
        int epochPass = trainLoader.passes();
        List<Batch> batches = trainLoader.epoch();
        int first = 0;
        if (resume != null && epoch == startEpoch) {
          trainLoader.restorePasses(resume.loaderPasses());
          first = resume.batchesDoneInEpoch();
        }
        for (int b = first; b < batches.size(); b++) {
          if (globalStep + 1 >= totalSteps || listener.cancelled()) {
            return new Result(
                initialTrain,
                initialVal,
                evaluations,
                globalStep + 1,
                tokensSeen,
                resumedFrom,
                globalStep + 1 < totalSteps,
                false);
          }
          Batch batch = batches.get(b);
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
          int done = globalStep + 1;
          boolean stop = checkpointing != null && done < totalSteps && listener.stopRequested();
          if (checkpointing != null
              && done < totalSteps
              && (stop || done % checkpointing.every() == 0)) {
            TrainingCheckpoint.save(
                checkpointing.dir(),
                model.trainableParameters(),
                optimizer,
                new TrainingCheckpoint.Progress(
                    done,
                    epoch,
                    b + 1,
                    epochPass,
                    trainLoader.passes(),
                    tokensSeen,
                    initialTrain,
                    initialVal,
                    List.copyOf(evaluations)));
            listener.checkpointed(done);
          }
          if (stop) {
            return new Result(
                initialTrain, initialVal, evaluations, done, tokensSeen, resumedFrom, false, true);
          }
        }
      }
      return new Result(
          initialTrain,
          initialVal,
          evaluations,
          globalStep + 1,
          tokensSeen,
          resumedFrom,
          false,
          false);
    } catch (IOException e) {
      throw new UncheckedIOException("training checkpoint in " + checkpointing.dir(), e);
    }
  }

  /** One optimizer step on one batch; returns the batch loss before the update. */
  public double trainStep(Batch batch, AdamW optimizer) {
    GradMode.disable();
    double loss = step.backward(batch);
    optimizer.step(model.trainableParameters());
    step.updated();
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
