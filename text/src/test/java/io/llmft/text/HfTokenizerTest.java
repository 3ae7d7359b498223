package io.llmft.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Llama 3's real vocabulary through DJL's Hugging Face tokenizers, against the ids of an
 * independent implementation (llama3-tokenizer-js) on 340 varied strings.
 */
class HfTokenizerTest {
  @TempDir static Path dir;
  private static HfTokenizer tokenizer;
  private static JsonNode cases;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in =
        new GZIPInputStream(
            HfTokenizerTest.class.getResourceAsStream("/llama3-tokenizer/tokenizer.json.gz"))) {
      Files.copy(in, dir.resolve("tokenizer.json"));
    }
    Files.writeString(
        dir.resolve("config.json"),
        "{\"model_type\": \"llama\", \"bos_token_id\": 128000,"
            + " \"eos_token_id\": [128001, 128008, 128009]}");
    tokenizer = HfTokenizer.load(dir);
    cases =
        new ObjectMapper()
            .readTree(HfTokenizerTest.class.getResource("/llama3-tokenizer/reference.json"))
            .get("cases");
  }

  private static int[] ids(JsonNode c) {
    int[] out = new int[c.get("ids").size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = c.get("ids").get(i).asInt();
    }
    return out;
  }

  @Test
  void givesTheReferenceIdsForEveryString() {
    assertTrue(cases.size() >= 300);
    for (JsonNode c : cases) {
      assertArrayEquals(ids(c), tokenizer.encode(c.get("text").asText()), c.get("text").asText());
    }
  }

  @Test
  void decodesBackToTheTextAndTokenBytesConcatenateToItsUtf8() {
    for (JsonNode c : cases) {
      String text = c.get("text").asText();
      int[] ids = ids(c);
      assertEquals(128000, ids[0], "<|begin_of_text|> first");
      int[] body = Arrays.copyOfRange(ids, 1, ids.length);
      assertEquals(text, tokenizer.decode(body));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      for (int id : body) {
        bytes.writeBytes(tokenizer.bytes(id));
      }
      assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), bytes.toByteArray(), text);
    }
  }

  @Test
  void specialIdsComeFromTheModelsFiles() {
    assertEquals(128001, tokenizer.endOfText());
    assertArrayEquals(new int[] {128001, 128008, 128009}, tokenizer.stopIds());
    assertTrue(tokenizer.isStop(128009));
    assertFalse(tokenizer.isStop(50256));
    assertEquals(128256, tokenizer.vocabularySize());
    assertEquals(128009, tokenizer.idOf("<|eot_id|>"));
  }

  @Test
  void aDirectoryWithoutTokenizerJsonIsRefusedByName(@TempDir Path empty) throws IOException {
    Files.writeString(empty.resolve("config.json"), "{\"model_type\": \"llama\"}");
    IOException e = assertThrows(IOException.class, () -> HfTokenizer.load(empty));
    assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
  }

  /** A huge or negative token id is a refused file, not an array the size of the id. */
  @Test
  void aTokenizerWithAnIdOutOfRangeIsRefusedNamingTheToken(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("config.json"), "{\"model_type\": \"llama\", \"eos_token_id\": 0}");
    for (String id : new String[] {"2147483647", "-5", "\"x\""}) {
      Files.writeString(
          dir.resolve("tokenizer.json"),
          "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": "
              + id
              + "}}, \"decoder\": {\"type\": \"ByteLevel\"}}");
      IOException e = assertThrows(IOException.class, () -> HfTokenizer.load(dir));
      assertTrue(e.getMessage().contains("token b has id"), e.getMessage());
    }
  }

  @Test
  void writesItsFilesBesideASavedModel(@TempDir Path saved) throws IOException {
    tokenizer.writeFiles(saved);
    assertTrue(Files.isRegularFile(saved.resolve("tokenizer.json")));
    assertEquals(
        Files.size(dir.resolve("tokenizer.json")), Files.size(saved.resolve("tokenizer.json")));
  }
}
