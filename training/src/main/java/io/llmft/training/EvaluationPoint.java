package io.llmft.training;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One evaluation of the book's loop: {@code step} is its {@code global_step} (from 0), {@code
 * epoch} counts from 1. A preference objective (DPO) also measures the mean rewards of the chosen
 * and the rejected responses on both splits; they are null for instruction finetuning.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationPoint(
    int step,
    int epoch,
    double trainLoss,
    double valLoss,
    long tokensSeen,
    Double trainChosenReward,
    Double trainRejectedReward,
    Double valChosenReward,
    Double valRejectedReward) {

  /** An evaluation of both splits' scores at a step. */
  static EvaluationPoint of(int step, int epoch, long tokensSeen, Scores train, Scores val) {
    return new EvaluationPoint(
        step,
        epoch,
        train.loss(),
        val.loss(),
        tokensSeen,
        train.chosenReward(),
        train.rejectedReward(),
        val.chosenReward(),
        val.rejectedReward());
  }

  /** What an objective measures over some batches: the loss, and DPO's rewards (else null). */
  public record Scores(double loss, Double chosenReward, Double rejectedReward) {
    public static Scores loss(double loss) {
      return new Scores(loss, null, null);
    }
  }
}
