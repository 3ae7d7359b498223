package io.llmft.training.data;

import io.llmft.contract.InstructionEntry;
import io.llmft.text.PromptStyle;
import io.llmft.text.Tokenizer;

/**
 * One preference pair as the DPO notebook's {@code PreferenceDataset} tokenizes it: the prompt
 * ({@code format_input}) alone, and the prompt followed by the response header and the chosen or
 * the rejected response.
 */
public record PreferenceExample(int[] prompt, int[] chosen, int[] rejected) {
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
