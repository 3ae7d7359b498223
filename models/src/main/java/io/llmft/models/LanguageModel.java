package io.llmft.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;

/**
 * A causal language model of any family, the seam the trainer, LoRA, the KV cache, both decoders,
 * serving and export use: next-token logits from token ids, incrementally with a {@link KvCache}.
 *
 * <p>Implementations are built once from their {@link ModelWeights}, a {@link Precision} and an
 * {@link Adapter}, and never changed after: several threads may run one at once. What changes while
 * it runs (a cache, gradients, optimizer state) lives outside it; training updates the weights'
 * values in place, never the model's structure.
 *
 * <p>Shapes: B batch, T new tokens, C {@link ModelConfig#hiddenSize}, V vocabulary.
 */
public interface LanguageModel extends AutoCloseable {
  ModelConfig config();

  default ModelFamily family() {
    return config().family();
  }

  NDManager manager();

  Precision precision();

  Adapter adapter();

  /**
   * This model's weights with another adapter (one per row of a batch: {@link RowAdapters}): a view
   * that shares them, costs no copy and whose {@link #close} closes nothing. Serving many adapters
   * on one base runs its batches through such views.
   */
  LanguageModel adapted(Adapter adapter);

  /** The weights by checkpoint name, in checkpoint order; a tied head is not listed twice. */
  Map<String, NDArray> parameters();

  /** What training updates: the adapters when there are any, else every parameter. */
  default Map<String, NDArray> trainableParameters() {
    return adapter().trainable(parameters());
  }

  /**
   * The tensors of the family's Hugging Face file, by their keys there, the adapters merged in;
   * merged arrays are new: the caller closes them (an {@code NDScope} does).
   */
  Map<String, NDArray> checkpointTensors();

  default long parameterCount() {
    return parameters().values().stream().mapToLong(NDArray::size).sum();
  }

  /** Logits for every position: (B, T) token ids -> (B, T, V). */
  default NDArray forward(NDArray tokenIds) {
    return head(hidden(tokenIds));
  }

  /** The final-norm hidden states: (B, T) token ids -> (B, T, C). */
  default NDArray hidden(NDArray tokenIds) {
    return hidden(tokenIds, null);
  }

  /**
   * The hidden states of new tokens that continue the ones in {@code cache} (at positions {@code
   * cache.length()} on), which are then added to it: (B, T) -> (B, T, C). Without a cache this is
   * the plain forward pass.
   */
  default NDArray hidden(NDArray tokenIds, KvCache cache) {
    long t = tokenIds.getShape().get(1);
    long past = cache == null ? 0 : cache.length();
    NDManager m = tokenIds.getManager();
    return hidden(
        tokenIds,
        m.arange(past, past + t, 1L, DataType.INT64), // (T)
        Attention.causalMask(m, t, past), // (T, past + T)
        cache);
  }

  /**
   * The hidden states of a batch whose rows have their own positions and may hide some keys (left
   * padding in batched generation): (B, T) -> (B, T, C).
   *
   * @param positionIds (T) or (B, T) each token's position in its own sequence
   * @param attentionMask additive, broadcastable to (B, 1, T, past + T): 0 where a token may
   *     attend, -inf elsewhere (causality included)
   */
  NDArray hidden(NDArray tokenIds, NDArray positionIds, NDArray attentionMask, KvCache cache);

  /** The output head: (..., C) -> (..., V). */
  NDArray head(NDArray hidden);

  /** A cache for this model's layers with room for {@code reserve} positions at its first write. */
  default KvCache newCache(int reserve) {
    return new KvCache(config().nLayers(), reserve);
  }

  /** Refuses a sequence longer than the context window. */
  default void checkLength(long past, long t) {
    if (past + t > config().contextLength()) {
      throw new IllegalArgumentException(
          "sequence of "
              + (past + t)
              + " tokens exceeds the context length "
              + config().contextLength());
    }
  }

  @Override
  void close();
}
