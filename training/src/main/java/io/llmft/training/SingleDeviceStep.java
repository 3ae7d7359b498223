package io.llmft.training;

import ai.djl.ndarray.NDArray;
import io.llmft.models.LanguageModel;
import io.llmft.models.engine.Backprop;

/**
 * The book's step: an objective's loss and backward of the whole batch on the model's one device.
 */
final class SingleDeviceStep<B> implements TrainingStep<B> {
  private final LanguageModel model;
  private final Objective<B> objective;
  private final Backprop backprop;

  SingleDeviceStep(LanguageModel model, Objective<B> objective) {
    this.model = model;
    this.objective = objective;
    this.backprop = Backprop.load(model.manager());
  }

  @Override
  public void prepare() {
    for (NDArray p : model.trainableParameters().values()) {
      p.setRequiresGradient(true);
    }
  }

  @Override
  public BatchGradients backward(B batch) {
    return BatchGradients.of(
        backprop, objective.loss(model, batch), model.trainableParameters(), model.manager());
  }

  @Override
  public void updated() {}
}
