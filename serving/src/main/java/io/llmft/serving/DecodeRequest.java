package io.llmft.serving;

import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;

/**
 * One sequence for the {@link DecodeLoop}: its prompt, how many tokens it may add, how it picks
 * them and the tokens that end it.
 */
public record DecodeRequest(int[] prompt, int maxNewTokens, Sampler sampler, StopTokens stop) {
  public DecodeRequest {
    java.util.Objects.requireNonNull(stop, "stop");
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt is empty");
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be at least 1");
    }
  }
}
