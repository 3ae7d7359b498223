package io.llmft.inference.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.contract.InstructionEntry;
import io.llmft.models.LanguageModel;
import io.llmft.serving.BatchDecoder;
import io.llmft.serving.generate.Generation;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.llmft.text.ChatRows;
import io.llmft.text.ChatTemplate;
import io.llmft.text.PromptStyle;
import io.llmft.text.Tokenizer;
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
      LanguageModel model,
      Tokenizer tokenizer,
      PromptStyle style,
      InstructionEntry entry,
      int maxNewTokens,
      Sampler sampler) {
    Prompt prompt = prompt(tokenizer, style, entry);
    Generation generation =
        new Generator(model)
            .generate(
                prompt.ids(),
                maxNewTokens,
                model.config().contextLength(),
                sampler,
                StopTokens.of(tokenizer.stopIds()));
    return toAnswer(tokenizer, style, prompt, generation);
  }

  /** An entry's formatted prompt and its token ids. */
  public record Prompt(String text, int[] ids, String endOfTurn) {}

  public static Prompt prompt(Tokenizer tokenizer, PromptStyle style, InstructionEntry entry) {
    String text = style.formatInput(entry);
    return new Prompt(text, tokenizer.encode(text), null);
  }

  /**
   * A chat row's prompt: its conversation through the last user turn, rendered by the model's
   * template with the generation prompt (the row's tools passed on).
   */
  @SuppressWarnings("unchecked")
  public static Prompt chatPrompt(Tokenizer tokenizer, ChatTemplate template, JsonNode row) {
    JsonNode messages = row.get("messages");
    int last = ChatRows.lastUserTurn(messages);
    List<Object> asked = new ArrayList<>();
    for (int i = 0; i <= last; i++) {
      asked.add(JSON.convertValue(messages.get(i), java.util.Map.class));
    }
    String text =
        template.render(
            asked,
            row.hasNonNull("tools") ? JSON.convertValue(row.get("tools"), List.class) : null,
            true,
            java.util.Map.of());
    return new Prompt(text, tokenizer.encodeRendered(text), template.endOfTurn().orElse(null));
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * Greedy answers to several prompts decoded as one batch ({@link BatchDecoder}): the answers
   * {@link #answer} gives each alone, in the prompts' order.
   *
   * @param style the prompts' style, or null for chats in the model's template
   */
  public static List<Answer> answerAll(
      LanguageModel model,
      Tokenizer tokenizer,
      PromptStyle style,
      List<Prompt> prompts,
      int maxNewTokens) {
    List<Generation> generations =
        new BatchDecoder(model)
            .generate(
                prompts.stream().map(Prompt::ids).toList(),
                maxNewTokens,
                Sampler.greedy(),
                StopTokens.of(tokenizer.stopIds()));
    List<Answer> answers = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      answers.add(toAnswer(tokenizer, style, prompts.get(i), generations.get(i)));
    }
    return answers;
  }

  /**
   * The book's extraction from the decoded text: the prompt followed by its continuation (decoded
   * alone, so that tokens the tokenizer puts before a prompt, Llama 3's begin-of-text, do not shift
   * it); for a chat in the model's template (no style) the continuation up to the template's turn
   * end (a text stop where the tokenizer has no id for it), stripped.
   */
  private static Answer toAnswer(
      Tokenizer tokenizer, PromptStyle style, Prompt prompt, Generation generation) {
    String continuation = tokenizer.decode(generation.generatedTokens());
    String answer =
        prompt.endOfTurn() == null
            ? continuation
            : continuation.split(java.util.regex.Pattern.quote(prompt.endOfTurn()), 2)[0];
    String response =
        style == null
            ? answer.strip()
            : style.extractResponse(prompt.text(), prompt.text() + continuation);
    return new Answer(response, generation.generatedCount(), generation.finishReason());
  }
}
