package io.llmft.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * A family's typed weights, before they become a model: what a checkpoint or an initialiser gives.
 */
public interface ModelWeights {
  ModelConfig config();

  /** Owns every array; closed with the model built from them. */
  NDManager manager();

  /** The arrays by checkpoint name, in checkpoint order, each shared array once. */
  Map<String, NDArray> named();

  /**
   * The model over these weights, which it takes over (closing the model closes them), with this
   * precision and, when {@code lora} is not null, LoRA adapters on the family's projections.
   */
  LanguageModel build(Precision precision, LoraSpec lora);

  default LanguageModel build() {
    return build(Precision.FP32, null);
  }

  /**
   * Closes the kernels a model built over these weights holds (the absent ones are null), then the
   * weights' manager: what a model's {@code close} and a failed build do.
   */
  default void closeWith(AutoCloseable... kernels) {
    try {
      for (AutoCloseable kernel : kernels) {
        if (kernel != null) {
          kernel.close();
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot close a kernel of the model", e);
    } finally {
      manager().close();
    }
  }
}
