package io.llmft.models;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What a model adds to its projections' outputs: nothing ({@link #NONE}) or LoRA's low-rank updates
 * ({@link LoraAdapters}), or each row of a batch its own ({@link RowAdapters}). A projection is
 * named by its block and its family's target name (GPT-2's {@code attn.q}, Llama's {@code
 * self_attn.q_proj}); each method takes its input {@code x} and its output {@code y} and returns
 * the adapted output.
 */
public sealed interface Adapter permits Adapter.None, LoraAdapters, RowAdapters {
  Adapter NONE = new None();

  NDArray layer(int block, String target, NDArray x, NDArray y);

  /** The output head: (..., V). */
  NDArray head(NDArray x, NDArray y);

  /** What training updates: the adapter's own parameters, or the model's when it has none. */
  Map<String, NDArray> trainable(Map<String, NDArray> modelParameters);

  /**
   * The change this adapter makes to a projection's weight, (in, out), as a new array; null where
   * it does not adapt that projection.
   */
  NDArray delta(int block, String target);

  /** The change to the output head's weight, (C, V), or null. */
  NDArray headDelta();

  /** No adapter: every layer's output as it is. */
  final class None implements Adapter {
    private None() {}

    @Override
    public NDArray layer(int block, String target, NDArray x, NDArray y) {
      return y;
    }

    @Override
    public NDArray head(NDArray x, NDArray y) {
      return y;
    }

    @Override
    public Map<String, NDArray> trainable(Map<String, NDArray> modelParameters) {
      return modelParameters;
    }

    @Override
    public NDArray delta(int block, String target) {
      return null;
    }

    @Override
    public NDArray headDelta() {
      return null;
    }
  }
}
