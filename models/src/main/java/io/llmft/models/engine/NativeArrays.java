package io.llmft.models.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Float data from Java into libtorch's own storage. DJL's {@code NDManager.create(float[])} and
 * {@code NDArray.set(float[])} leave a Java direct buffer as the array's storage, which counts
 * against the JVM's direct-memory limit (by default the maximum heap size): a gpt2-medium restore
 * ran out of it, and a gpt2-xl's 6 GB of weights would not fit a 4 GB JVM. These go through a
 * staging array that is closed at once, so its buffer goes with the next garbage collection.
 */
public final class NativeArrays {
  private static final NDIndex ALL = new NDIndex("...");

  private NativeArrays() {}

  /** A new array in {@code manager} holding {@code data}. */
  public static NDArray copyOf(NDManager manager, float[] data, Shape shape) {
    try (NDArray staging = manager.create(data, shape)) {
      return staging.duplicate();
    }
  }

  /** Overwrites {@code target}'s values in place (the array and its storage stay the same). */
  public static void copyInto(NDArray target, float[] data) {
    try (NDArray staging = target.getManager().create(data, target.getShape())) {
      target.set(ALL, staging);
    }
  }
}
