package io.llmft.inference.rest;

/** The answer of {@code POST /generate}; {@code finishReason} is "eos" or "length". */
public record GenerateResponse(String response, int generatedTokens, String finishReason) {}
