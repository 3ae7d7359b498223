package io.llmft.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llmft.models.Adapter;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelWeights;
import io.llmft.models.Precision;
import java.util.List;
import java.util.Map;

/**
 * The weights of a Llama or Qwen3 decoder by what they are ({@link LlamaKeys} owns the names).
 * Projections are {@code nn.Linear} weights, (out, in), without biases; a tied head is the same
 * array as the token embedding.
 *
 * @param manager owns every array; closed with the model
 */
public record LlamaWeights(
    LlamaConfig config,
    NDArray tokenEmbedding,
    List<Block> blocks,
    NDArray finalNorm,
    NDArray head,
    NDManager manager)
    implements ModelWeights {

  public LlamaWeights {
    blocks = List.copyOf(blocks);
  }

  /**
   * One decoder block: RMSNorm, grouped-query attention (Qwen3: RMSNorm on each head of q and k,
   * else null), RMSNorm, the SwiGLU feed-forward.
   */
  public record Block(
      NDArray inputNorm,
      NDArray query,
      NDArray key,
      NDArray value,
      NDArray output,
      NDArray queryNorm,
      NDArray keyNorm,
      NDArray postAttentionNorm,
      NDArray gate,
      NDArray up,
      NDArray down) {}

  @Override
  public Map<String, NDArray> named() {
    return LlamaKeys.named(this);
  }

  @Override
  public LanguageModel build(Precision precision, Adapter adapter) {
    return LlamaModel.build(this, precision, adapter);
  }
}
