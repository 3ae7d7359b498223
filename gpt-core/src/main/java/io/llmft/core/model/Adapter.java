package io.llmft.core.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What a model adds to its layers' outputs: nothing ({@link #NONE}) or LoRA's low-rank updates
 * ({@link LoraAdapters}). Each method takes a layer's input {@code x} and its output {@code y} and
 * returns the adapted output.
 */
public sealed interface Adapter permits Adapter.None, LoraAdapters {
  Adapter NONE = new None();

  /** The layers of a block whose output an adapter may change, beside query, key and value. */
  enum Layer {
    ATTN_OUT,
    FC,
    MLP_OUT
  }

  /** The attention's query, key and value projection of block {@code block}: (..., 3C). */
  NDArray qkv(int block, NDArray x, NDArray y);

  NDArray layer(int block, Layer layer, NDArray x, NDArray y);

  /** The output head: (..., V). */
  NDArray head(NDArray x, NDArray y);

  /** What training updates: the adapter's own parameters, or the model's when it has none. */
  Map<String, NDArray> trainable(Map<String, NDArray> modelParameters);

  /** The weights with the adapter folded in (new arrays: the caller closes them), or the same. */
  Gpt2Weights merge(Gpt2Weights weights);

  /** No adapter: every layer's output as it is. */
  final class None implements Adapter {
    private None() {}

    @Override
    public NDArray qkv(int block, NDArray x, NDArray y) {
      return y;
    }

    @Override
    public NDArray layer(int block, Layer layer, NDArray x, NDArray y) {
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
    public Gpt2Weights merge(Gpt2Weights weights) {
      return weights;
    }
  }
}
