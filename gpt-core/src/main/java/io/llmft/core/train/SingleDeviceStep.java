package io.llmft.core.train;

import ai.djl.ndarray.NDArray;
import io.llmft.core.data.Batch;
import io.llmft.core.engine.Backprop;
import io.llmft.core.model.LanguageModel;

/** The book's step: loss and backward of the whole batch on the model's one device. */
final class SingleDeviceStep implements TrainingStep {
  private final LanguageModel model;
  private final Backprop backprop;

  SingleDeviceStep(LanguageModel model) {
    this.model = model;
    this.backprop = Backprop.load(model.manager());
  }

  @Override
  public void prepare() {
    for (NDArray p : model.trainableParameters().values()) {
      p.setRequiresGradient(true);
    }
  }

  @Override
  public BatchGradients backward(Batch batch) {
    return BatchGradients.of(
        backprop,
        () -> Losses.batchLoss(model, batch, model.manager()),
        model.trainableParameters(),
        model.manager());
  }

  @Override
  public void updated() {}
}
