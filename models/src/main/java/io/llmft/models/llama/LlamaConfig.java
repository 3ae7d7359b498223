package io.llmft.models.llama;

import io.llmft.models.ModelConfig;
import io.llmft.models.ModelFamily;

/**
 * The shape of a Llama 3.2 or Qwen3 decoder, as {@code LlamaConfig} and {@code Qwen3Config} of
 * Hugging Face name it: Qwen3 differs by its per-head q/k RMSNorm ({@code qkNorm}).
 *
 * @param headDim per head; Qwen3 0.6B sets it (128) apart from {@code hiddenSize / nHeads}
 * @param ropeScaling Llama 3's frequency scaling, or null
 * @param tiedHead the output head is the token embedding (no {@code lm_head.weight})
 * @param bosTokenId the begin-of-text id of {@code config.json}, or null
 * @param eosTokenIds every {@code eos_token_id} of {@code config.json}
 */
public record LlamaConfig(
    ModelFamily family,
    int vocabSize,
    int contextLength,
    int hiddenSize,
    int intermediateSize,
    int nLayers,
    int nHeads,
    int nKvHeads,
    int headDim,
    double normEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tiedHead,
    boolean qkNorm,
    Integer bosTokenId,
    int[] eosTokenIds)
    implements ModelConfig {

  /** Llama 3's {@code rope_scaling} ({@code rope_type: llama3}), the book's {@code freq_config}. */
  public record RopeScaling(
      double factor, double lowFreqFactor, double highFreqFactor, int originalContextLength) {}

  public LlamaConfig {
    if (nHeads % nKvHeads != 0) {
      throw new IllegalArgumentException(
          "config.json: num_attention_heads ("
              + nHeads
              + ") must be a multiple of num_key_value_heads ("
              + nKvHeads
              + ")");
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException(
          "config.json: head_dim must be even for RoPE, got " + headDim);
    }
    eosTokenIds = eosTokenIds.clone();
  }

  @Override
  public int kvWidth() {
    return nKvHeads * headDim;
  }

  /** Query heads per key/value head. */
  public int groupSize() {
    return nHeads / nKvHeads;
  }

  @Override
  public long parameterCount() {
    long c = hiddenSize;
    long q = (long) nHeads * headDim;
    long kv = (long) nKvHeads * headDim;
    long perLayer =
        2 * c + c * q + 2 * c * kv + q * c + 3 * c * intermediateSize + (qkNorm ? 2L * headDim : 0);
    return (long) vocabSize * c * (tiedHead ? 1 : 2) + nLayers * perLayer + c;
  }
}
