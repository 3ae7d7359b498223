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
   * precision and, when {@code lora} is not null, new LoRA adapters on the family's projections.
   */
  default LanguageModel build(Precision precision, LoraSpec lora) {
    return build(
        precision,
        lora == null ? Adapter.NONE : LoraAdapters.create(adapterTargets(), lora, manager()));
  }

  /**
   * The model over these weights with this precision and {@code adapter} (whose arrays the model
   * does not close: they live in their own manager, or in {@link #manager()}).
   */
  LanguageModel build(Precision precision, Adapter adapter);

  /**
   * These weights with the operands of their matrix products held in bfloat16 for serving with
   * {@link Precision#BF16} (the fp32 copies closed), or null where the family does not (then they
   * are left as they are).
   */
  default ModelWeights withBf16Matrices() {
    return null;
  }

  /** Where LoRA adapters go on a model of these weights. */
  default LoraAdapters.Targets adapterTargets() {
    return io.llmft.models.checkpoint.FamilyFormats.of(config().family()).adapterTargets(config());
  }

  default LanguageModel build() {
    return build(Precision.FP32, Adapter.NONE);
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
