package io.llmft.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llmft.models.engine.FusedOps;
import io.llmft.models.engine.MatMul;

/** Causal attention as every family computes it. */
public final class Attention {
  private Attention() {}

  /**
   * {@code softmax(q k^T / sqrt(D) + mask) v}: (B, H, T, D) -> (B, H, T, D). In fp32 libtorch's
   * fused kernel; with bf16 products the two products go through the model's {@link MatMul}.
   */
  public static NDArray attend(
      NDArray q,
      NDArray k,
      NDArray v,
      NDArray mask,
      Precision precision,
      MatMul matMul,
      FusedOps fused) {
    if (precision == Precision.FP32) {
      return fused.attention(q, k, v, mask);
    }
    long d = q.getShape().get(q.getShape().dimension() - 1);
    NDArray scores = matMul.apply(q, k.transpose(0, 1, 3, 2)).add(mask); // (B, H, T, past + T)
    NDArray attn = scores.div(Tensors.constant(q, (float) Math.sqrt(d))).softmax(-1);
    return matMul.apply(attn, v);
  }

  /**
   * Additive causal mask for T new tokens after {@code past} cached ones: 0 where a new token may
   * attend (every cached token, itself and the new ones before it), -inf elsewhere. (T, past + T)
   */
  public static NDArray causalMask(NDManager m, long t, long past) {
    long width = past + t;
    float[] values = new float[Math.toIntExact(t * width)];
    for (int row = 0; row < t; row++) {
      for (long col = past + row + 1; col < width; col++) {
        values[(int) (row * width + col)] = Float.NEGATIVE_INFINITY;
      }
    }
    return m.create(values, new Shape(t, width));
  }
}
