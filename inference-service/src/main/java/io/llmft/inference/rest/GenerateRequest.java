package io.llmft.inference.rest;

import io.llmft.contract.ModelRef;
import io.llmft.contract.Sampling;

/** {@code POST /generate}: one instruction answered by a model. */
public record GenerateRequest(
    ModelRef model,
    String instruction,
    String input,
    String promptStyle,
    Integer maxNewTokens,
    Double temperature,
    Integer topK,
    Long seed) {
  /** The sampling asked for (checked by {@link Sampling#of} when the request is validated). */
  Sampling sampling() {
    return new Sampling(temperature == null ? 0 : temperature, topK, null, seed);
  }
}
