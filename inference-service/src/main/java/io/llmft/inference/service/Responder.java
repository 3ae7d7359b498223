package io.llmft.inference.service;

import io.llmft.core.data.InstructionEntry;
import io.llmft.core.generate.BatchGenerator;
import io.llmft.core.generate.Generation;
import io.llmft.core.generate.Generator;
import io.llmft.core.generate.Sampler;
import io.llmft.core.model.Gpt2Model;
import io.llmft.core.text.Gpt2Tokenizer;
import io.llmft.core.text.PromptStyle;
import java.util.ArrayList;
import java.util.List;

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
    String prompt = style.formatInput(entry);
    Generation generation =
        new Generator(model)
            .generate(
                Gpt2Tokenizer.get().encode(prompt),
                maxNewTokens,
                model.config().contextLength(),
                sampler,
                Gpt2Tokenizer.END_OF_TEXT);
    return toAnswer(style, prompt, generation);
  }

  /**
   * Greedy answers to several instructions decoded as one batch ({@link BatchGenerator}): the
   * answers {@link #answer} gives each alone, in the entries' order.
   */
  public static List<Answer> answerAll(
      Gpt2Model model, PromptStyle style, List<InstructionEntry> entries, int maxNewTokens) {
    List<String> prompts = entries.stream().map(style::formatInput).toList();
    Gpt2Tokenizer tokenizer = Gpt2Tokenizer.get();
    List<Generation> generations =
        new BatchGenerator(model)
            .generate(
                prompts.stream().map(tokenizer::encode).toList(),
                maxNewTokens,
                Sampler.greedy(),
                Gpt2Tokenizer.END_OF_TEXT);
    List<Answer> answers = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      answers.add(toAnswer(style, prompts.get(i), generations.get(i)));
    }
    return answers;
  }

  private static Answer toAnswer(PromptStyle style, String prompt, Generation generation) {
    String text = Gpt2Tokenizer.get().decode(generation.tokens());
    String response =
        text.length() >= prompt.length() ? style.extractResponse(prompt, text) : text.strip();
    return new Answer(response, generation.generatedCount(), generation.finishReason());
  }
}
