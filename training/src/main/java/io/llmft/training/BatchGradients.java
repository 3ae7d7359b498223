package io.llmft.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llmft.models.engine.Backprop;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A batch's loss and the gradients of the trained model's trainable parameters, new arrays owned by
 * {@code arrays}, which closing this releases once the optimizer has used them.
 */
record BatchGradients(double loss, Map<String, NDArray> gradients, NDManager arrays)
    implements AutoCloseable {
  /**
   * The loss's value and gradients with respect to {@code parameters}, in a manager of their own.
   */
  static BatchGradients of(
      Backprop backprop,
      Supplier<NDArray> loss,
      Map<String, NDArray> parameters,
      NDManager parent) {
    NDManager arrays = parent.newSubManager();
    try {
      Backprop.Result result = backprop.run(loss, parameters, arrays);
      return new BatchGradients(result.loss(), result.gradients(), arrays);
    } catch (RuntimeException e) {
      arrays.close();
      throw e;
    }
  }

  @Override
  public void close() {
    arrays.close();
  }
}
