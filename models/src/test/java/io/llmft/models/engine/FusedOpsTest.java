package io.llmft.models.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The fused kernels compute the book's formulas, to float rounding. */
class FusedOpsTest {
  @Test
  void geluIsTheBooksTanhForm() {
    DjlRuntime.init();
    try (NDManager m = NDManager.newBaseManager();
        FusedOps fused = FusedOps.load(m)) {
      GradMode.disable();
      NDArray x = m.randomNormal(0, 3, new Shape(4, 7, 32), ai.djl.ndarray.types.DataType.FLOAT32);
      // the book's GELU: 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
      NDArray book =
          x.mul(0.5f)
              .mul(
                  x.add(x.pow(3).mul(0.044715f))
                      .mul((float) Math.sqrt(2 / Math.PI))
                      .tanh()
                      .add(1f));
      assertEquals(0, fused.geluTanh(x).sub(book).abs().max().getFloat(), 2e-6);
    }
  }

  @Test
  void attentionIsSoftmaxOfScaledScoresPlusTheMaskTimesValues() {
    DjlRuntime.init();
    try (NDManager m = NDManager.newBaseManager();
        FusedOps fused = FusedOps.load(m)) {
      GradMode.disable();
      long b = 2, h = 3, t = 5, past = 4, d = 8;
      NDArray q = m.randomNormal(new Shape(b, h, t, d));
      NDArray k = m.randomNormal(new Shape(b, h, past + t, d));
      NDArray v = m.randomNormal(new Shape(b, h, past + t, d));
      float[] mask = new float[(int) (t * (past + t))];
      for (int row = 0; row < t; row++) {
        for (long col = past + row + 1; col < past + t; col++) {
          mask[(int) (row * (past + t) + col)] = Float.NEGATIVE_INFINITY;
        }
      }
      NDArray causal = m.create(mask, new Shape(t, past + t));
      NDArray book =
          q.matMul(k.transpose(0, 1, 3, 2))
              .add(causal)
              .div((float) Math.sqrt(d))
              .softmax(-1)
              .matMul(v);
      assertEquals(0, fused.attention(q, k, v, causal).sub(book).abs().max().getFloat(), 2e-6);
    }
  }
}
