package io.llmft.models.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** torch.autograd.grad through the module: exact gradients, nothing left in the parameters. */
class BackpropTest {
  @Test
  void gradientsAreNewArraysNamedAsTheParametersAndNothingAccumulates() {
    DjlRuntime.init();
    try (NDManager m = NDManager.newBaseManager();
        NDManager owner = m.newSubManager()) {
      NDArray w = m.create(new float[] {1, -2, 3}, new Shape(3));
      NDArray b = m.create(new float[] {0.5f}, new Shape(1));
      NDArray unused = m.create(new float[] {7, 8}, new Shape(2));
      NDArray x = m.create(new float[] {2, 1, -1}, new Shape(3));
      Map<String, NDArray> parameters = new LinkedHashMap<>();
      parameters.put("w", w);
      parameters.put("b", b);
      parameters.put("unused", unused);
      parameters.values().forEach(p -> p.setRequiresGradient(true));
      Backprop backprop = Backprop.load(m);

      for (int run = 0; run < 2; run++) {
        // loss = (w.x + b)^2 = (2 - 2 - 3 + 0.5)^2 = 6.25; d/dw = 2 (w.x + b) x, d/db = 2 (w.x + b)
        Backprop.Result r =
            backprop.run(() -> w.mul(x).sum().add(b).pow(2).sum(), parameters, owner);
        assertEquals(6.25, r.loss(), 1e-6);
        assertEquals(parameters.keySet(), r.gradients().keySet());
        assertArrayEquals(new float[] {-10, -5, 5}, r.gradients().get("w").toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {-5}, r.gradients().get("b").toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0, 0}, r.gradients().get("unused").toFloatArray());
        assertEquals(owner, r.gradients().get("w").getManager());
      }
      // the second run's gradients are not the sum of both: nothing went into w's .grad
      assertArrayEquals(new float[] {0, 0, 0}, w.getGradient().toFloatArray());
      assertFalse(JniUtils.isGradMode(), "grad mode is off again");
    }
  }
}
