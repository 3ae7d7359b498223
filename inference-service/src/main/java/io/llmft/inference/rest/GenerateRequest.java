package io.llmft.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code POST /generate}: one instruction answered by a model. */
public record GenerateRequest(
    JsonNode model,
    String instruction,
    String input,
    String promptStyle,
    Integer maxNewTokens,
    Double temperature,
    Integer topK,
    Long seed) {}
