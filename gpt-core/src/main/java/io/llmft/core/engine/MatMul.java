package io.llmft.core.engine;

import ai.djl.ndarray.NDArray;

/** How a model multiplies matrices: (..., n, k) x (..., k, m) -> (..., n, m), as fp32. */
public interface MatMul extends AutoCloseable {
  /** libtorch's fp32 product. */
  MatMul FP32 = NDArray::matMul;

  NDArray apply(NDArray a, NDArray b);

  /** Releases what the strategy loaded (nothing for fp32). */
  @Override
  default void close() {}
}
