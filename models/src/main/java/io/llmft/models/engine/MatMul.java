package io.llmft.models.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/** How a model multiplies matrices: (..., n, k) x (..., k, m) -> (..., n, m), as fp32. */
public interface MatMul extends AutoCloseable {
  /** libtorch's fp32 product. */
  MatMul FP32 = new Fp32();

  NDArray apply(NDArray a, NDArray b);

  /** {@code x·w + b} for a Conv1D weight {@code w} (in, out): the product, then the bias added. */
  default NDArray linear(NDArray x, NDArray w, NDArray b) {
    return apply(x, w).add(b);
  }

  /** Releases what the strategy loaded (nothing for fp32). */
  @Override
  default void close() {}

  /**
   * fp32 through libtorch. Its {@link #linear} is {@code torch.nn.functional.linear}, what the
   * book's {@code nn.Linear} runs: the product, then the bias added into it in place rather than
   * into a new array.
   */
  final class Fp32 implements MatMul {
    private Fp32() {}

    @Override
    public NDArray apply(NDArray a, NDArray b) {
      return a.matMul(b);
    }

    @Override
    public NDArray linear(NDArray x, NDArray w, NDArray b) {
      return Linear.linear(x, w.transpose(), b).singletonOrThrow();
    }
  }
}
