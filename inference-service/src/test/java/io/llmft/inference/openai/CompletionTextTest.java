package io.llmft.inference.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.text.Gpt2Tokenizer;
import io.llmft.text.PromptStyle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompletionTextTest {
  /** Feeds the text's tokens one by one; returns the deltas, then the rest as the last element. */
  private static List<String> stream(CompletionText text, String generated) {
    List<String> deltas = new ArrayList<>();
    for (int token : Gpt2Tokenizer.get().encode(generated)) {
      boolean more = text.add(Gpt2Tokenizer.get().bytes(token));
      deltas.add(text.delta());
      if (!more) {
        break;
      }
    }
    deltas.add(text.rest());
    return deltas;
  }

  @Test
  void streamedPiecesAddUpToWhatGenerateAnswers() {
    String prompt =
        PromptStyle.ALPACA.formatInput(
            new io.llmft.contract.InstructionEntry("Say hi.", null, null));
    String generated = "\n\n### Response:\nHi there!  \n\n### Response: again ";
    CompletionText text = new CompletionText(PromptStyle.ALPACA, List.of());
    List<String> deltas = stream(text, generated);
    String expected = PromptStyle.ALPACA.extractResponse(prompt, prompt + generated);
    assertEquals(expected, String.join("", deltas));
    assertEquals(expected, text.text());
    assertFalse(String.join("", deltas).contains("###"), "the header never leaks: " + deltas);
  }

  @Test
  void aMultiByteCharacterSplitAcrossTokensIsNeverSentInHalves() {
    // "é" is two bytes; GPT-2 may spell an emoji over several tokens
    String generated = "caf\u00e9 \ud83d\ude00 ok";
    byte[] bytes = generated.getBytes(StandardCharsets.UTF_8);
    CompletionText text = new CompletionText(null, List.of());
    StringBuilder sent = new StringBuilder();
    for (byte b : bytes) {
      text.add(new byte[] {b}); // one byte per "token": the worst case
      String delta = text.delta();
      assertFalse(delta.contains("\ufffd"), "no replacement character in " + delta);
      sent.append(delta);
    }
    sent.append(text.rest());
    assertEquals(generated, sent.toString());
  }

  @Test
  void aStopSequenceEndsTheTextBeforeItAndIsNeverSent() {
    CompletionText text = new CompletionText(null, List.of("\n\n", "END"));
    List<String> deltas = stream(text, "one two\nthree E");
    assertEquals("one two\nthree E", String.join("", deltas), "E may start END: held, then sent");
    CompletionText stopped = new CompletionText(null, List.of("END"));
    List<String> cut = stream(stopped, "alpha beta ENDgamma");
    assertEquals("alpha beta ", String.join("", cut));
    assertEquals("alpha beta ", stopped.text());
    assertTrue(cut.stream().noneMatch(d -> d.contains("E")), cut.toString());
  }

  @Test
  void holdsBackOnlyWhatMayStillChange() {
    assertEquals(3, CompletionText.partialSuffix("abc ###", "### Response:"));
    assertEquals(0, CompletionText.partialSuffix("abc", "### Response:"));
    assertEquals(1, CompletionText.partialSuffix("x\n", "\n\n"));
  }
}
