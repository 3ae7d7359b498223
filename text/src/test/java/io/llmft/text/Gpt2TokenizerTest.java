package io.llmft.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.contract.InstructionEntry;
import org.junit.jupiter.api.Test;

class Gpt2TokenizerTest {
  private final Gpt2Tokenizer tokenizer = Gpt2Tokenizer.get();

  @Test
  void endOfTextMarkerEncodesTo50256() {
    assertArrayEquals(new int[] {50256}, tokenizer.encode("<|endoftext|>"));
    int[] ids = tokenizer.encode("Hello<|endoftext|>world");
    assertEquals(50256, ids[1]);
    assertEquals("Hello<|endoftext|>world", tokenizer.decode(ids));
  }

  @Test
  void alpacaExampleGivesTheBooksTokenIds() {
    JsonNode example = AlpacaExample.json();
    JsonNode e = example.get("entry");
    InstructionEntry entry =
        new InstructionEntry(
            e.get("instruction").asText(), e.get("input").asText(), e.get("output").asText());
    int[] ids = tokenizer.encode(PromptStyle.ALPACA.formatTraining(entry));
    assertArrayEquals(AlpacaExample.ints(example.get("token_ids")), ids);
  }

  @Test
  void decodeInvertsEncode() {
    String text = "Below is an instruction.\n\n### Response:\nÜbung macht den Meister — 42!";
    assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
  }
}
