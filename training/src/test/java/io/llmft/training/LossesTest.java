package io.llmft.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class LossesTest {
  @Test
  void crossEntropyMatchesTheBooksExamples() {
    try (NDManager m = NDManager.newBaseManager()) {
      var two = m.create(new float[] {-1f, 1f, -0.5f, 1.5f}, new Shape(2, 2));
      assertEquals(1.1269, Losses.crossEntropy(two, m.create(new long[] {0, 1})).getFloat(), 1e-4);

      var three = m.create(new float[] {-1f, 1f, -0.5f, 1.5f, -0.5f, 1.5f}, new Shape(3, 2));
      assertEquals(
          0.7936, Losses.crossEntropy(three, m.create(new long[] {0, 1, 1})).getFloat(), 1e-4);
      assertEquals(
          1.1269, Losses.crossEntropy(three, m.create(new long[] {0, 1, -100})).getFloat(), 1e-4);
    }
  }
}
