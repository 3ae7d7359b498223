package io.llmft.core.serve;

import io.llmft.core.generate.Sampler;

/**
 * One sequence for the {@link DecodeLoop}: its prompt, how many tokens it may add, how it picks
 * them and the token that ends it (null: none).
 */
public record DecodeRequest(int[] prompt, int maxNewTokens, Sampler sampler, Integer eosId) {
  public DecodeRequest {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt is empty");
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be at least 1");
    }
  }
}
