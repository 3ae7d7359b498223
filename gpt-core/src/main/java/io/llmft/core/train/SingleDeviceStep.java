package io.llmft.core.train;

import ai.djl.ndarray.NDArray;
import io.llmft.core.data.Batch;
import io.llmft.core.engine.GradMode;
import io.llmft.core.model.Gpt2Model;

/** The book's step: loss and backward of the whole batch on the model's one device. */
final class SingleDeviceStep implements TrainingStep {
  private final Gpt2Model model;

  SingleDeviceStep(Gpt2Model model) {
    this.model = model;
  }

  @Override
  public void prepare() {
    for (NDArray p : model.trainableParameters().values()) {
      p.setRequiresGradient(true);
    }
  }

  @Override
  public double backward(Batch batch) {
    return GradMode.backward(() -> Losses.batchLoss(model, batch, model.manager()));
  }

  @Override
  public void updated() {}
}
