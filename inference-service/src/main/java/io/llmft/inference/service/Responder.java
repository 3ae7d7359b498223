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
    Prompt prompt = prompt(style, entry);
    Generation generation =
        new Generator(model)
            .generate(
                prompt.ids(),
                maxNewTokens,
                model.config().contextLength(),
                sampler,
                Gpt2Tokenizer.END_OF_TEXT);
    return toAnswer(style, prompt.text(), generation);
  }

  /** An entry's formatted prompt and its token ids. */
  public record Prompt(String text, int[] ids) {}

  public static Prompt prompt(PromptStyle style, InstructionEntry entry) {
    String text = style.formatInput(entry);
    return new Prompt(text, Gpt2Tokenizer.get().encode(text));
  }

  /**
   * Greedy answers to several prompts decoded as one batch ({@link BatchGenerator}): the answers
   * {@link #answer} gives each alone, in the prompts' order.
   */
  public static List<Answer> answerAll(
      Gpt2Model model, PromptStyle style, List<Prompt> prompts, int maxNewTokens) {
    List<Generation> generations =
        new BatchGenerator(model)
            .generate(
                prompts.stream().map(Prompt::ids).toList(),
                maxNewTokens,
                Sampler.greedy(),
                Gpt2Tokenizer.END_OF_TEXT);
    List<Answer> answers = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      answers.add(toAnswer(style, prompts.get(i).text(), generations.get(i)));
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
