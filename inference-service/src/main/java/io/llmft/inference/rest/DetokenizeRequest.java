package io.llmft.inference.rest;

import io.llmft.contract.ModelRef;
import java.util.List;

/**
 * {@code POST /detokenize}, in vLLM's shape: token ids and the model whose tokenizer decodes them.
 */
public record DetokenizeRequest(ModelRef model, List<Integer> tokens) {}
