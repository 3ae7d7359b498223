package io.llmft.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The written {@code vocab.json} and {@code merges.txt} tokenize as GPT-2 does: checked with a
 * byte-level BPE written here the way Hugging Face's {@code GPT2Tokenizer} works (pre-tokenizer
 * regex, byte-to-unicode table, merges by rank), which reads nothing but the two files.
 */
class Gpt2TokenizerFilesTest {
  private static final Pattern GPT2_SPLIT =
      Pattern.compile(
          "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

  @TempDir Path dir;

  @Test
  void theFilesHaveGpt2sKnownEntries() throws Exception {
    Gpt2TokenizerFiles.write(dir);
    JsonNode vocab = new ObjectMapper().readTree(dir.resolve("vocab.json").toFile());
    assertEquals(50257, vocab.size());
    assertEquals(0, vocab.get("!").asInt());
    assertEquals(262, vocab.get("\u0120the").asInt()); // "Ġthe"
    assertEquals(50256, vocab.get("<|endoftext|>").asInt());
    List<String> merges = Files.readAllLines(dir.resolve("merges.txt"), StandardCharsets.UTF_8);
    assertEquals(50001, merges.size());
    assertEquals(
        List.of("#version: 0.2", "Ġ t", "Ġ a", "h e", "i n", "r e", "o n", "Ġt he"),
        merges.subList(0, 8));
    JsonNode config = new ObjectMapper().readTree(dir.resolve("tokenizer_config.json").toFile());
    assertEquals("GPT2Tokenizer", config.get("tokenizer_class").asText());
  }

  @Test
  void bpeFromTheFilesAloneGivesTheTokenizersIds() throws Exception {
    Gpt2TokenizerFiles.write(dir);
    HfStyleBpe bpe = new HfStyleBpe(dir);
    List<String> texts =
        List.of(
            AlpacaExample.json().get("entry").get("instruction").asText(),
            "Below is an instruction that describes a task.\n\n### Response:\nThe capital is Paris.",
            "It's 3.14159 — naïve café, emoji 🙂 and   spaces\tand tabs; don't we'll I'd",
            "Übersetze: 'Guten Morgen!' → 日本語のテキスト 12345678");
    for (String text : texts) {
      assertArrayEquals(Gpt2Tokenizer.get().encode(text), bpe.encode(text), text);
    }
  }

  /** Byte-level BPE as Hugging Face's slow {@code GPT2Tokenizer} does it. */
  private static final class HfStyleBpe {
    private final Map<String, Integer> vocab = new HashMap<>();
    private final Map<String, Integer> mergeRanks = new HashMap<>();
    private final String[] byteChars = Gpt2TokenizerFiles.bytesToUnicode();

    HfStyleBpe(Path dir) throws Exception {
      new ObjectMapper()
          .readTree(dir.resolve("vocab.json").toFile())
          .fields()
          .forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
      List<String> lines = Files.readAllLines(dir.resolve("merges.txt"), StandardCharsets.UTF_8);
      for (int i = 1; i < lines.size(); i++) {
        mergeRanks.put(lines.get(i), i - 1);
      }
    }

    int[] encode(String text) {
      List<Integer> ids = new ArrayList<>();
      Matcher m = GPT2_SPLIT.matcher(text);
      while (m.find()) {
        StringBuilder mapped = new StringBuilder();
        for (byte b : m.group().getBytes(StandardCharsets.UTF_8)) {
          mapped.append(byteChars[b & 0xff]);
        }
        List<String> word = new ArrayList<>();
        mapped.codePoints().forEach(cp -> word.add(new String(Character.toChars(cp))));
        while (word.size() > 1) {
          int best = -1;
          int bestRank = Integer.MAX_VALUE;
          for (int i = 0; i + 1 < word.size(); i++) {
            Integer rank = mergeRanks.get(word.get(i) + " " + word.get(i + 1));
            if (rank != null && rank < bestRank) {
              best = i;
              bestRank = rank;
            }
          }
          if (best < 0) {
            break;
          }
          word.set(best, word.get(best) + word.remove(best + 1));
        }
        for (String token : word) {
          ids.add(vocab.get(token));
        }
      }
      return ids.stream().mapToInt(Integer::intValue).toArray();
    }
  }
}
