package io.llmft.core.train;

import io.llmft.core.data.PreferenceBatch;
import io.llmft.core.data.PreferenceLoader;
import io.llmft.core.engine.GradMode;
import io.llmft.core.model.LanguageModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The DPO notebook's {@code train_model_dpo_simple}: per batch the preference loss of the policy
 * against the frozen reference ({@link DpoObjective}), backward, an AdamW step over the policy's
 * trainable parameters only, then {@code tokensSeen += chosen.numel()} and {@code globalStep += 1}
 * (from -1); when {@code globalStep % evalFreq == 0}, the loss and rewards over the first {@code
 * min(evalIter, batches)} batches of train and validation ({@code evaluate_dpo_loss_loader}).
 */
public final class DpoTrainer {
  private final LanguageModel policy;
  private final DpoObjective objective;
  private final TrainingStep<PreferenceBatch> step;

  /** One evaluation point: losses and rewards of both splits. */
  public record Evaluation(
      int step,
      int epoch,
      long tokensSeen,
      DpoObjective.Scores train,
      DpoObjective.Scores validation) {}

  /** What a run measured: before the first step, at each evaluation, and every step's loss. */
  public record Result(
      Evaluation initial, List<Evaluation> evaluations, List<Double> stepLosses, long tokensSeen) {}

  public DpoTrainer(LanguageModel policy, LanguageModel reference, double beta) {
    this.policy = policy;
    this.objective = new DpoObjective(reference, beta);
    this.step = new SingleDeviceStep<>(policy, objective);
  }

  public Result train(
      PreferenceLoader train,
      PreferenceLoader validation,
      int epochs,
      int evalFreq,
      int evalIter,
      AdamW optimizer) {
    step.prepare();
    Evaluation initial = evaluate(train, validation, evalIter, -1, 0, 0);
    List<Evaluation> evaluations = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    long tokensSeen = 0;
    int globalStep = -1;
    for (int epoch = 1; epoch <= epochs; epoch++) {
      for (PreferenceBatch batch : train.epoch()) {
        losses.add(trainStep(batch, optimizer));
        tokensSeen += (long) batch.size() * batch.length();
        globalStep++;
        if (globalStep % evalFreq == 0) {
          evaluations.add(evaluate(train, validation, evalIter, globalStep, epoch, tokensSeen));
        }
      }
    }
    return new Result(initial, evaluations, losses, tokensSeen);
  }

  /** One optimizer step; returns the batch's loss before it. */
  public double trainStep(PreferenceBatch batch, AdamW optimizer) {
    GradMode.disable();
    try (BatchGradients gradients = step.backward(batch)) {
      optimizer.step(policy.trainableParameters(), gradients.gradients());
      step.updated();
      return gradients.loss();
    }
  }

  private Evaluation evaluate(
      PreferenceLoader train,
      PreferenceLoader validation,
      int evalIter,
      int step,
      int epoch,
      long tokensSeen) {
    return new Evaluation(
        step, epoch, tokensSeen, loaderScores(train, evalIter), loaderScores(validation, evalIter));
  }

  /**
   * The notebook's {@code compute_dpo_loss_loader}: the mean loss and rewards over the first {@code
   * min(numBatches, batches)} batches of one pass, NaN for an empty loader.
   */
  public DpoObjective.Scores loaderScores(PreferenceLoader loader, int numBatches) {
    List<PreferenceBatch> batches = loader.epoch();
    if (batches.isEmpty()) {
      return new DpoObjective.Scores(Double.NaN, Double.NaN, Double.NaN);
    }
    int n = Math.min(numBatches, batches.size());
    double loss = 0;
    double chosen = 0;
    double rejected = 0;
    for (int i = 0; i < n; i++) {
      DpoObjective.Scores s = objective.evaluate(policy, batches.get(i));
      loss += s.loss();
      chosen += s.chosenReward();
      rejected += s.rejectedReward();
    }
    return new DpoObjective.Scores(loss / n, chosen / n, rejected / n);
  }
}
