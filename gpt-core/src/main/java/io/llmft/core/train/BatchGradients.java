package io.llmft.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * A batch's loss and the gradients of the trained model's trainable parameters, new arrays owned by
 * {@code arrays}, which closing this releases once the optimizer has used them.
 */
record BatchGradients(double loss, Map<String, NDArray> gradients, NDManager arrays)
    implements AutoCloseable {
  @Override
  public void close() {
    arrays.close();
  }
}
