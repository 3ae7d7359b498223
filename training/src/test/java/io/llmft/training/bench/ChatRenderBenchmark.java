package io.llmft.training.bench;

import io.llmft.text.ChatTargets;
import io.llmft.text.ChatTemplate;
import io.llmft.text.HfTokenizer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The cost of chat rows: N generated conversations (a system prompt half of the time, one to three
 * user/assistant exchanges of 5-60 words) rendered by Qwen3's real template, rendered and encoded
 * by its real tokenizer, and turned into ids and targets (one extra rendering per assistant turn),
 * in rows per second on one thread. {@code scripts/benchmark.sh chat [N]}; run from the repository
 * root (it reads the text module's Qwen3 fixture).
 */
public final class ChatRenderBenchmark {
  private ChatRenderBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    Path fixture = Path.of("text/src/test/resources/qwen3-tokenizer");
    Path dir = Files.createTempDirectory("chat-bench");
    try (InputStream in =
        new GZIPInputStream(Files.newInputStream(fixture.resolve("tokenizer.json.gz")))) {
      Files.copy(in, dir.resolve("tokenizer.json"));
    }
    Files.copy(fixture.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    Files.writeString(
        dir.resolve("config.json"), "{\"model_type\": \"qwen3\", \"eos_token_id\": 151645}");
    ChatTemplate template = ChatTemplate.forModel(dir).orElseThrow();
    HfTokenizer tokenizer = HfTokenizer.load(dir);
    List<List<Map<String, Object>>> rows = conversations(n);
    System.out.printf(
        "=== chat rows: %d conversations, Qwen3's template and tokenizer, one thread%n", n);
    long t0 = System.nanoTime();
    long chars = 0;
    for (List<Map<String, Object>> row : rows) {
      chars += template.render(row, null, false, Map.of()).length();
    }
    report("render", n, t0, chars + " characters");
    t0 = System.nanoTime();
    long ids = 0;
    for (List<Map<String, Object>> row : rows) {
      ids += tokenizer.encodeRendered(template.render(row, null, false, Map.of())).length;
    }
    report("render + encode", n, t0, ids + " ids");
    ChatTargets targets =
        new ChatTargets(template, tokenizer, Map.of(), ChatTargets.TrainOn.ASSISTANT);
    t0 = System.nanoTime();
    long learned = 0;
    for (List<Map<String, Object>> row : rows) {
      learned += targets.of(row, null).targetCount();
    }
    report("ids + assistant targets", n, t0, learned + " targets");
  }

  private static void report(String what, int n, long started, String detail) {
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("%-26s %8.0f rows/s  (%.1f s; %s)%n", what, n / seconds, seconds, detail);
  }

  private static List<List<Map<String, Object>>> conversations(int n) {
    String[] words =
        ("the a model answer question data train token chat turn system user assistant weather"
                + " city colour number list explain why how short long café naïve 東京 🌸 with"
                + " without every each some many few first last next good better best")
            .split(" ");
    Random random = new Random(42);
    List<List<Map<String, Object>>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<Map<String, Object>> row = new ArrayList<>();
      if (random.nextBoolean()) {
        row.add(Map.of("role", "system", "content", sentence(random, words, 5, 20)));
      }
      int exchanges = 1 + random.nextInt(3);
      for (int k = 0; k < exchanges; k++) {
        row.add(Map.of("role", "user", "content", sentence(random, words, 5, 40)));
        row.add(Map.of("role", "assistant", "content", sentence(random, words, 5, 60)));
      }
      out.add(row);
    }
    return out;
  }

  private static String sentence(Random random, String[] words, int min, int max) {
    int count = min + random.nextInt(max - min + 1);
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < count; k++) {
      b.append(k == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
    }
    return b.append('.').toString();
  }
}
