package io.llmft.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RopeTest {
  @Test
  void ropeScalingHasAllThreeBandsInTheFixture() {
    LlamaConfig.RopeScaling s = new LlamaConfig.RopeScaling(8, 1, 4, 64);
    float[] inv = new float[8];
    for (int i = 0; i < inv.length; i++) {
      inv[i] = (float) (1 / Math.pow(10000, 2.0 * i / 16));
    }
    float[] scaled = Rope.scaled(inv, s);
    assertEquals(inv[0], scaled[0], "high frequencies are kept");
    assertEquals(inv[7] / 8, scaled[7], 1e-12, "low frequencies are divided by the factor");
    assertTrue(scaled[1] < inv[1] && scaled[1] > inv[1] / 8, "medium ones are smoothed");
  }
}
