package io.llmft.inference.service;

import io.llmft.core.data.InstructionEntry;
import io.llmft.core.generate.Generation;
import io.llmft.core.generate.Generator;
import io.llmft.core.generate.Sampler;
import io.llmft.core.model.Gpt2Model;
import io.llmft.core.text.Gpt2Tokenizer;
import io.llmft.core.text.PromptStyle;

/**
 * Answers one instruction as the book's chapter 7 does: the formatted prompt, {@code generate} with
 * the end-of-text id as stop token and the model's context length, then the response extracted from
 * the decoded text.
 */
public final class Responder {
  private Responder() {}

  /** A generated answer. */
  public record Answer(
      String response, int generatedTokens, Generation.FinishReason finishReason) {}

  public static Answer answer(
      Gpt2Model model,
      PromptStyle style,
      InstructionEntry entry,
      int maxNewTokens,
      Sampler sampler) {
    Gpt2Tokenizer tokenizer = Gpt2Tokenizer.get();
    String prompt = style.formatInput(entry);
    int contextLength = model.config().contextLength();
    Generation generation =
        new Generator(model)
            .generate(
                tokenizer.encode(prompt),
                maxNewTokens,
                contextLength,
                sampler,
                Gpt2Tokenizer.END_OF_TEXT);
    String text = tokenizer.decode(generation.tokens());
    String response =
        text.length() >= prompt.length() ? style.extractResponse(prompt, text) : text.strip();
    return new Answer(response, generation.generatedCount(), generation.finishReason());
  }
}
