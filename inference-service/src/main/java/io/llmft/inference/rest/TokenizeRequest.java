package io.llmft.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.contract.ModelRef;

/**
 * {@code POST /tokenize}, in vLLM's shape: the model whose tokenizer encodes, and either a {@code
 * prompt} or a chat ({@code messages}, with {@code add_generation_prompt} true by default, {@code
 * chat_template_kwargs} and {@code tools}) that the model's own chat template renders.
 */
public record TokenizeRequest(
    ModelRef model,
    String prompt,
    JsonNode messages,
    JsonNode add_generation_prompt,
    JsonNode chat_template_kwargs,
    JsonNode tools) {}
