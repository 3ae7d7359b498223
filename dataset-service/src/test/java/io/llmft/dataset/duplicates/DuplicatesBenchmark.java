package io.llmft.dataset.duplicates;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The dataset job's duplicate search on a large file, in the heap the dataset service gets (run it
 * with the container's -Xmx): the entries are streamed as the job streams them, only what the
 * search needs of their texts kept, within the service's default budget. Without a file it
 * generates {@code ENTRIES} Alpaca-sized entries from a word-bigram chain over the bundled dataset
 * (instruction 8-20 words, an input for 40% of them, output 20-80 words), seeded, so that the run
 * repeats.
 *
 * <p>Usage: {@code DuplicatesBenchmark [FILE|-] [ENTRIES] [THRESHOLD]}
 */
public final class DuplicatesBenchmark {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DuplicatesBenchmark() {}

  public static void main(String[] args) throws Exception {
    String file = args.length > 0 ? args[0] : "-";
    int entries = args.length > 1 ? Integer.parseInt(args[1]) : 52_002;
    Double threshold = args.length > 2 ? Double.valueOf(args[2]) : null;
    // the service's default budget (DuplicatesConfig) and pool size
    SearchBudget budget =
        new SearchBudget(100_000, 64L << 20, Duration.ofMinutes(10), Clock.systemUTC());
    SearchPool pool = new SearchPool(Runtime.getRuntime().availableProcessors());
    DuplicateFinder finder =
        new DuplicateFinder(
            new io.llmft.contract.DatasetJob.Duplicates(threshold, null, null, null), budget, pool);
    long start = System.nanoTime();
    int added = file.equals("-") ? generate(finder, entries) : stream(finder, Path.of(file));
    long loaded = System.nanoTime();
    System.out.printf(
        "kept text %.1f MiB as the bytes budget counts it (duplicates.max-bytes %d MiB)%n",
        finder.keptBytes() / 1048576.0, budget.maxBytes() >> 20);
    DuplicateReport report = finder.report(() -> {});
    long searched = System.nanoTime();
    System.out.printf(
        "entries %d (%s), heap max %d MiB, %d cores%n",
        added,
        file.equals("-") ? "generated" : file,
        Runtime.getRuntime().maxMemory() >> 20,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "load %.1f s, search %.1f s (all keys)%n",
        (loaded - start) / 1e9, (searched - loaded) / 1e9);
    System.out.println("summary " + MAPPER.writeValueAsString(report.summary()));
    System.out.printf("peak heap used %d MiB%n", peakHeap() >> 20);
    pool.close();
  }

  private static int stream(DuplicateFinder finder, Path file) throws Exception {
    int index = 0;
    try (InputStream in = Files.newInputStream(file);
        JsonParser parser = MAPPER.getFactory().createParser(in)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw new IllegalArgumentException(file + " is not a JSON array");
      }
      while (parser.nextToken() == JsonToken.START_OBJECT) {
        finder.add(index++, MAPPER.readTree(parser));
      }
    }
    return index;
  }

  private static int generate(DuplicateFinder finder, int entries) throws Exception {
    JsonNode book;
    try (InputStream in =
        DuplicatesBenchmark.class.getResourceAsStream("/datasets/instruction-data.json")) {
      book = MAPPER.readTree(in);
    }
    Map<String, List<String>> next = new HashMap<>();
    List<String> starts = new ArrayList<>();
    for (JsonNode e : book) {
      for (String field : List.of("instruction", "input", "output")) {
        String[] words = e.path(field).asText().split("\\s+");
        if (words.length > 1) {
          starts.add(words[0]);
          for (int i = 0; i + 1 < words.length; i++) {
            next.computeIfAbsent(words[i], w -> new ArrayList<>()).add(words[i + 1]);
          }
        }
      }
    }
    Random random = new Random(123);
    for (int i = 0; i < entries; i++) {
      ObjectNode entry = MAPPER.createObjectNode();
      entry.put("instruction", sentence(random, starts, next, 8 + random.nextInt(13)));
      entry.put(
          "input",
          random.nextInt(10) < 4 ? sentence(random, starts, next, 5 + random.nextInt(21)) : "");
      entry.put("output", sentence(random, starts, next, 20 + random.nextInt(61)));
      finder.add(i, entry);
    }
    return entries;
  }

  private static String sentence(
      Random random, List<String> starts, Map<String, List<String>> next, int words) {
    StringBuilder s = new StringBuilder();
    String word = starts.get(random.nextInt(starts.size()));
    for (int w = 0; w < words; w++) {
      s.append(w == 0 ? "" : " ").append(word);
      List<String> options = next.get(word);
      word =
          options == null
              ? starts.get(random.nextInt(starts.size()))
              : options.get(random.nextInt(options.size()));
    }
    return s.toString();
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
