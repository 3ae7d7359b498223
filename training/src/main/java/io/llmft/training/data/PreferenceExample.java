package io.llmft.training.data;

import io.llmft.contract.InstructionEntry;
import io.llmft.text.ChatTargets;
import io.llmft.text.PromptStyle;
import io.llmft.text.Tokenizer;

/**
 * One preference pair as the DPO notebook's {@code PreferenceDataset} tokenizes it: the prompt
 * ({@code format_input}) alone, and the prompt followed by the response header and the chosen or
 * the rejected response; {@code scoredFrom} is the first position whose token is scored (the
 * notebook's {@code len(prompt) + 2}, past the response header; for a conversation the prompt's
 * length, its generation prompt being the header).
 */
public record PreferenceExample(int[] prompt, int[] chosen, int[] rejected, int scoredFrom) {
  /** The notebook's pair: scored after the prompt and the two tokens of the response header. */
  public PreferenceExample(int[] prompt, int[] chosen, int[] rejected) {
    this(prompt, chosen, rejected, prompt.length + 2);
  }

  /**
   * A conversational pair: the conversation rendered with the generation prompt, and followed by
   * the chosen or the rejected assistant turn through its end-of-turn token.
   */
  public static PreferenceExample ofConversation(
      ChatTargets targets,
      java.util.List<java.util.Map<String, Object>> messages,
      java.util.List<?> tools,
      java.util.Map<String, Object> chosen,
      java.util.Map<String, Object> rejected) {
    ChatTargets.Answered c = targets.answered(messages, tools, chosen);
    ChatTargets.Answered r = targets.answered(messages, tools, rejected);
    return new PreferenceExample(c.prompt(), c.sequence(), r.sequence(), c.prompt().length);
  }

  public static PreferenceExample of(
      Tokenizer tokenizer,
      PromptStyle style,
      InstructionEntry entry,
      String chosen,
      String rejected) {
    String prompt = style.formatInput(entry);
    return new PreferenceExample(
        tokenizer.encode(prompt),
        tokenizer.encode(prompt + style.responsePrefix() + chosen),
        tokenizer.encode(prompt + style.responsePrefix() + rejected));
  }
}
