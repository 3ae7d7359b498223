package io.llmft.inference.rest;

import io.llmft.contract.ModelRef;

/** {@code POST /tokenize}, in vLLM's shape: a text and the model whose tokenizer encodes it. */
public record TokenizeRequest(ModelRef model, String prompt) {}
