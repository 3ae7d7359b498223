package io.llmft.models.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.GptConfig;
import org.junit.jupiter.api.Test;

/** oneDNN's inner product is {@code x W^T}, to float rounding, for the head without gradients. */
class OneDnnLinearTest {
  @Test
  void isTheProductWithTheTransposedWeight() {
    DjlRuntime.init();
    try (NDManager m = NDManager.newBaseManager()) {
      GradMode.disable();
      NDArray w = m.randomNormal(new Shape(301, 48)); // (out, in)
      try (OneDnnLinear linear = OneDnnLinear.loadOnCpu(w)) {
        for (Shape shape : new Shape[] {new Shape(1, 48), new Shape(7, 48), new Shape(2, 5, 48)}) {
          NDArray x = m.randomNormal(shape);
          NDArray y = linear.apply(x);
          assertEquals(shape.slice(0, shape.dimension() - 1).add(301), y.getShape());
          assertEquals(0, y.sub(x.matMul(w.transpose())).abs().max().getFloat(), 1e-5);
        }
      }
    }
  }

  @Test
  void theModelsHeadWithoutGradientsIsTheHeadWithThem() {
    DjlRuntime.init();
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Gpt2Model.randomInit(new GptConfig(1000, 32, 64, 2, 4), 7, m)) {
      NDArray hidden = m.randomNormal(new Shape(3, 4, 64));
      GradMode.disable();
      NDArray without = model.head(hidden);
      ai.djl.pytorch.jni.JniUtils.setGradMode(true);
      NDArray with;
      try {
        with = model.head(hidden);
      } finally {
        GradMode.disable();
      }
      assertEquals(new Shape(3, 4, 1000), without.getShape());
      assertEquals(0, without.sub(with).abs().max().getFloat(), 1e-5);
    }
  }
}
