package io.llmft.training;

import java.util.ArrayList;
import java.util.List;

/**
 * What the loop measured: the losses before the first step and the book's evaluation points ({@code
 * train_losses}, {@code val_losses}, {@code track_tokens_seen}).
 */
public record TrainingHistory(
    double initialTrainLoss, double initialValLoss, List<EvaluationPoint> evaluations) {

  public TrainingHistory {
    evaluations = List.copyOf(evaluations);
  }

  TrainingHistory with(EvaluationPoint point) {
    List<EvaluationPoint> all = new ArrayList<>(evaluations);
    all.add(point);
    return new TrainingHistory(initialTrainLoss, initialValLoss, all);
  }
}
