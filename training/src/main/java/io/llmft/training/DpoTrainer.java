package io.llmft.training;

import io.llmft.models.LanguageModel;
import io.llmft.training.data.Loader;
import io.llmft.training.data.PreferenceBatch;
import java.util.List;

/**
 * The DPO notebook's {@code train_model_dpo_simple} as the book's {@link TrainingLoop}: per batch
 * the preference loss of the policy against the frozen reference ({@link DpoObjective}), backward,
 * an AdamW step over the policy's trainable parameters only, then {@code tokensSeen +=
 * chosen.numel()} and {@code globalStep += 1} (from -1); when {@code globalStep % evalFreq == 0},
 * the loss and rewards over the first {@code min(evalIter, batches)} batches of train and
 * validation ({@code evaluate_dpo_loss_loader}). Checkpoints, resume, cancel and progress are the
 * loop's, as for instruction finetuning; with several replicas, data parallel over the pairs
 * ({@link DataParallelStep}), each replica with a reference on its own device.
 */
public final class DpoTrainer {
  private final LanguageModel policy;
  private final DpoObjective objective;
  private final TrainingStep<PreferenceBatch> step;

  public DpoTrainer(LanguageModel policy, LanguageModel reference, double beta) {
    this(List.of(policy), List.of(reference), beta);
  }

  /**
   * Tunes the first of {@code policies}, the model that is evaluated, optimized and saved, against
   * the first of {@code references}; {@code references.get(i)} is the frozen reference on the
   * device of {@code policies.get(i)}.
   */
  public DpoTrainer(
      List<? extends LanguageModel> policies,
      List<? extends LanguageModel> references,
      double beta) {
    if (policies.isEmpty() || policies.size() != references.size()) {
      throw new IllegalArgumentException("one reference per policy replica, at least one");
    }
    this.policy = policies.get(0);
    List<DpoObjective> objectives =
        references.stream().map(r -> new DpoObjective(r, beta)).toList();
    this.objective = objectives.get(0);
    this.step = TrainingStep.of(List.<LanguageModel>copyOf(policies), objectives, BatchSplit.PAIRS);
  }

  public TrainingLoop.Result train(
      Loader<PreferenceBatch> train,
      Loader<PreferenceBatch> validation,
      TrainingSettings settings,
      TrainingListener listener) {
    return new TrainingLoop<>(policy, step, this::loaderScores)
        .train(train, validation, settings, listener);
  }

  /**
   * The notebook's {@code compute_dpo_loss_loader}: the mean loss and rewards over the first {@code
   * min(numBatches, batches)} batches of one pass (all when null), NaN for an empty loader.
   */
  public EvaluationPoint.Scores loaderScores(Loader<PreferenceBatch> loader, Integer numBatches) {
    List<PreferenceBatch> batches = loader.epoch();
    if (batches.isEmpty()) {
      return new EvaluationPoint.Scores(Double.NaN, Double.NaN, Double.NaN);
    }
    int n = numBatches == null ? batches.size() : Math.min(numBatches, batches.size());
    double loss = 0;
    double chosen = 0;
    double rejected = 0;
    for (int i = 0; i < n; i++) {
      DpoObjective.Scores s = objective.evaluate(policy, batches.get(i));
      loss += s.loss();
      chosen += s.chosenReward();
      rejected += s.rejectedReward();
    }
    return new EvaluationPoint.Scores(loss / n, chosen / n, rejected / n);
  }
}
