package io.llmft.serving;

import io.llmft.models.Adapter;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;

/**
 * One sequence for the {@link DecodeLoop}: its prompt, how many tokens it may add, how it picks
 * them, the tokens that end it, and the adapters of the loop's base model it runs with ({@link
 * Adapter#NONE}: the base itself).
 */
public record DecodeRequest(
    int[] prompt, int maxNewTokens, Sampler sampler, StopTokens stop, Adapter adapter) {
  public DecodeRequest {
    java.util.Objects.requireNonNull(stop, "stop");
    java.util.Objects.requireNonNull(adapter, "adapter");
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt is empty");
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be at least 1");
    }
  }

  /** A request for the base model itself. */
  public DecodeRequest(int[] prompt, int maxNewTokens, Sampler sampler, StopTokens stop) {
    this(prompt, maxNewTokens, sampler, stop, Adapter.NONE);
  }
}
