package io.llmft.models;

import ai.djl.ndarray.NDManager;
import io.llmft.models.engine.Bf16MatMul;
import io.llmft.models.engine.MatMul;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the model's matrix products compute in. Weights, gradients, optimizer state, LayerNorm,
 * softmax and the loss stay fp32 either way (fp32 master weights): {@code bf16} rounds both
 * operands of each product to bfloat16 and returns the product as fp32, as PyTorch's CPU autocast
 * does for matmul. That is faster where the hardware multiplies bfloat16 (AVX-512 BF16 and AMX
 * CPUs, GPUs) and drifts from fp32 by bfloat16's 8-bit mantissa.
 */
public enum Precision {
  FP32,
  BF16;

  /** The matrix product of this precision, loaded on the manager's device. */
  public MatMul matMul(NDManager manager) {
    return this == BF16 ? Bf16MatMul.load(manager) : MatMul.FP32;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Precision fromId(String id) {
    for (Precision p : values()) {
      if (p.id().equals(id)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown precision '" + id + "' (known: " + ids() + ")");
  }

  /** The ids, for messages. */
  public static java.util.List<String> ids() {
    return Arrays.stream(values()).map(Precision::id).toList();
  }
}
