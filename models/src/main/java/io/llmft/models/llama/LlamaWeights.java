package io.llmft.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llmft.models.Adapter;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelWeights;
import io.llmft.models.Precision;
import io.llmft.models.engine.Bf16Weights;
import java.util.ArrayList;
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

  /**
   * These weights with the seven projections and the head in bfloat16, the fp32 projections closed:
   * for serving with {@link Precision#BF16}, whose products then read half the bytes. The embedding
   * and the norms stay fp32; a tied head gets its own bfloat16 copy of the embedding.
   */
  @Override
  public LlamaWeights withBf16Matrices() {
    try (Bf16Weights cast = Bf16Weights.load(manager)) {
      List<Block> held = new ArrayList<>();
      for (Block b : blocks) {
        held.add(
            new Block(
                b.inputNorm(),
                bf16(cast, b.query()),
                bf16(cast, b.key()),
                bf16(cast, b.value()),
                bf16(cast, b.output()),
                b.queryNorm(),
                b.keyNorm(),
                b.postAttentionNorm(),
                bf16(cast, b.gate()),
                bf16(cast, b.up()),
                bf16(cast, b.down())));
      }
      NDArray heldHead = config.tiedHead() ? cast.copy(head, manager) : bf16(cast, head);
      return new LlamaWeights(config, tokenEmbedding, held, finalNorm, heldHead, manager);
    }
  }

  private NDArray bf16(Bf16Weights cast, NDArray fp32) {
    NDArray copy = cast.copy(fp32, manager);
    fp32.close();
    return copy;
  }

  @Override
  public LanguageModel build(Precision precision, Adapter adapter) {
    return LlamaModel.build(this, precision, adapter);
  }
}
