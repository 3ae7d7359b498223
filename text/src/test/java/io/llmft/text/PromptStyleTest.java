package io.llmft.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.contract.InstructionEntry;
import org.junit.jupiter.api.Test;

class PromptStyleTest {
  private static final String HEADER =
      "Below is an instruction that describes a task. Write a response that appropriately completes the request.";

  @Test
  void formatInputWithInputMatchesTheBook() {
    var entry =
        new InstructionEntry("Rewrite the sentence.", "The baby is cute.", "As cute as a button.");
    assertEquals(
        HEADER + "\n\n### Instruction:\nRewrite the sentence.\n\n### Input:\nThe baby is cute.",
        PromptStyle.ALPACA.formatInput(entry));
    assertEquals(
        PromptStyle.ALPACA.formatInput(entry) + "\n\n### Response:\nAs cute as a button.",
        PromptStyle.ALPACA.formatTraining(entry));
  }

  @Test
  void entryWithoutInputHasNoInputSection() {
    var entry = new InstructionEntry("Name a color.", null, "Blue.");
    assertEquals(
        HEADER + "\n\n### Instruction:\nName a color.", PromptStyle.ALPACA.formatInput(entry));
  }

  @Test
  void responseIsExtractedAsTheBookDoes() {
    String prompt = "PROMPT";
    assertEquals(
        "The answer.",
        PromptStyle.ALPACA.extractResponse(prompt, prompt + "\n\n### Response:\nThe answer.  \n"));
  }

  @Test
  void phi3IsTheBooksExercise71() {
    var entry =
        new InstructionEntry("Rewrite the sentence.", "The baby is cute.", "As cute as a button.");
    assertEquals(
        "<|user|>\nRewrite the sentence.\nThe baby is cute.", PromptStyle.PHI3.formatInput(entry));
    assertEquals(
        "<|user|>\nRewrite the sentence.\nThe baby is cute.\n<|assistant|>:\nAs cute as a button.",
        PromptStyle.PHI3.formatTraining(entry));
    assertEquals(
        "<|user|>\nName a color.",
        PromptStyle.PHI3.formatInput(new InstructionEntry("Name a color.", "", "Blue.")));
    String prompt = PromptStyle.PHI3.formatInput(entry);
    assertEquals(
        "As cute as a button.",
        PromptStyle.PHI3.extractResponse(
            prompt, prompt + "\n<|assistant|>:\nAs cute as a button.\n"));
    assertEquals(PromptStyle.PHI3, PromptStyle.fromId("phi3"));
  }

  @Test
  void llama3IsTheBooksChatFormatWithSeveralTurns() {
    InstructionEntry entry =
        new InstructionEntry("Rewrite the sentence.", "The baby is cute.", "As cute as a button.");
    String prompt =
        "<|start_header_id|>user<|end_header_id|>\n\nRewrite the sentence.\n\nThe baby is cute."
            + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
    assertEquals(prompt, PromptStyle.LLAMA3.formatInput(entry));
    assertEquals(prompt + "As cute as a button.", PromptStyle.LLAMA3.formatTraining(entry));
    assertEquals(
        "As cute as a button.",
        PromptStyle.LLAMA3.extractResponse(prompt, prompt + " As cute as a button.\n"));
    assertEquals(
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n",
        PromptStyle.LLAMA3
            .chatTemplate()
            .orElseThrow()
            .render(
                java.util.List.of(
                    java.util.Map.of("role", "system", "content", " Be brief. "),
                    java.util.Map.of("role", "user", "content", "Hi")),
                null,
                true,
                java.util.Map.of()));
    assertTrue(PromptStyle.ALPACA.chatTemplate().isEmpty());
    assertEquals(PromptStyle.LLAMA3, PromptStyle.fromId("llama3"));
  }

  @Test
  void unknownStyleIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> PromptStyle.fromId("chatml"));
  }
}
