package io.llmft.dataset.duplicates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.contract.DatasetJob;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The book's near-duplicate method against scikit-learn on the bundled 1,100 entries: {@code
 * tools/reference/near_duplicates.py} wrote the analyzer's output on tricky texts, every pair per
 * key at two thresholds, and the entries dropped by input and output.
 */
class NearDuplicatesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  static final SearchPool POOL = new SearchPool(2);
  private static JsonNode reference;
  private static JsonNode entries;

  @BeforeAll
  static void load() throws IOException {
    reference = read("/near-duplicates/instruction-data.json");
    entries = read("/datasets/instruction-data.json");
  }

  private static JsonNode read(String resource) throws IOException {
    try (InputStream in = NearDuplicatesTest.class.getResourceAsStream(resource)) {
      return MAPPER.readTree(in);
    }
  }

  @Test
  void preprocessesAndSplitsLikePythonAndScikitLearn() {
    assertEquals(8, reference.get("analyzer").size());
    for (JsonNode c : reference.get("analyzer")) {
      String text = c.get("text").asText();
      String preprocessed = CharNgrams.preprocess(text);
      assertEquals(c.get("preprocessed").asText(), preprocessed, text);
      List<String> expected = new ArrayList<>();
      c.get("ngrams").forEach(g -> expected.add(g.asText()));
      List<String> actual = new ArrayList<>();
      for (long gram : CharNgrams.ngrams(preprocessed)) {
        actual.add(decode(gram));
      }
      expected.sort(Comparator.naturalOrder());
      actual.sort(Comparator.naturalOrder());
      assertEquals(expected, actual, text);
    }
  }

  private static String decode(long gram) {
    StringBuilder s = new StringBuilder();
    for (int shift = 42; shift >= 0; shift -= 21) {
      int cp = (int) ((gram >>> shift) & 0x1FFFFF);
      if (cp != 0) {
        s.appendCodePoint(cp);
      }
    }
    return s.toString();
  }

  @Test
  void findsTheBooksPairsAtTheDefaultThreshold() {
    assertPairs(0.9);
  }

  @Test
  void findsTheBooksPairsAtALowerThreshold() {
    assertPairs(0.75);
  }

  private void assertPairs(double threshold) {
    DuplicateReport report =
        finder(new DatasetJob.Duplicates(threshold, null, null, null)).report(() -> {});
    JsonNode expected = reference.get("thresholds").get(String.valueOf(threshold));
    for (String key : DatasetJob.Duplicates.DEFAULT_KEYS) {
      JsonNode pairs = expected.get(key).get("pairs");
      List<DuplicateReport.NearPair> found = report.near().get(key);
      assertEquals(pairs.size(), found.size(), key + " pairs at " + threshold);
      for (int i = 0; i < pairs.size(); i++) {
        JsonNode want = pairs.get(i);
        DuplicateReport.NearPair got = found.get(i);
        assertEquals(want.get("first").asInt(), got.first(), key + " pair " + i);
        assertEquals(want.get("second").asInt(), got.second(), key + " pair " + i);
        assertEquals(
            want.get("similarity").asDouble(), got.similarity(), 1e-12, key + " pair " + i);
      }
    }
    assertTrue(
        report.near().get("instruction").size() > 100, "the bundled set repeats instructions");
    assertEquals(reference.get("exact").size(), report.exact().size());
  }

  @Test
  void dropsAllButTheFirstOfEachGroupByInputAndOutput() {
    DuplicateReport report =
        finder(new DatasetJob.Duplicates(null, null, List.of("input", "output"), null))
            .report(() -> {});
    JsonNode expected = reference.get("droppedByInputAndOutput");
    assertEquals(expected.size(), report.dropped().size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).get("index").asInt(), report.dropped().get(i).index());
      assertEquals(expected.get(i).get("keptIndex").asInt(), report.dropped().get(i).keptIndex());
    }
    assertEquals(expected.size(), report.summary().dropped());
  }

  @Test
  void groupsExactDuplicatesAndNamesEntriesByTheirOwnIndex() {
    DuplicateFinder finder =
        unbounded(new DatasetJob.Duplicates(null, null, List.of("output"), null));
    finder.add(3, entry("Name a color.", "", "Blue."));
    finder.add(5, entry("Say hi.", "politely", "Hello there, friend."));
    finder.add(9, entry("Name a color.", "", "Blue."));
    finder.add(12, entry("Greet.", "", "Hello there, friend!"));
    DuplicateReport report = finder.report(() -> {});
    assertEquals(List.of(List.of(3, 9)), report.exact());
    assertEquals(List.of(3, 5), firsts(report));
    assertEquals(List.of(9, 12), seconds(report));
    // input: one text only, so no pair, although the book's script would index past the gap
    assertEquals(List.of(), report.near().get("input"));
    assertEquals(
        List.of(new DuplicateReport.Dropped(9, 3), new DuplicateReport.Dropped(12, 5)),
        report.dropped());
    assertEquals(1, report.summary().exactEntries());
  }

  @Test
  void skipsOneCharacterTextsAndCanBeStopped() {
    DuplicateFinder finder =
        unbounded(new DatasetJob.Duplicates(null, List.of("output"), null, null));
    finder.add(0, entry("a", "", "A"));
    finder.add(1, entry("b", "", "a"));
    assertEquals(List.of(), finder.report(() -> {}).near().get("output"));
    DuplicateFinder stopped = finder(null);
    RuntimeException stop = new IllegalStateException("cancelled");
    assertEquals(
        stop,
        assertThrows(
            IllegalStateException.class,
            () ->
                stopped.report(
                    () -> {
                      throw stop;
                    })));
  }

  @Test
  void aTemplatedSetStopsAtMaxPairsAndRefusesToDropByAnIncompleteKey() {
    DatasetJob.Duplicates config =
        new DatasetJob.Duplicates(null, List.of("instruction"), null, 10);
    DuplicateFinder finder = unbounded(config);
    for (int i = 0; i < 60; i++) {
      finder.add(i, entry(templated(i), "", "x" + i));
    }
    DuplicateReport report = finder.report(() -> {});
    assertEquals(List.of("instruction"), report.truncated());
    List<DuplicateReport.NearPair> pairs = report.near().get("instruction");
    assertTrue(!pairs.isEmpty() && pairs.size() <= 10, "pairs listed: " + pairs.size());
    int last = pairs.stream().mapToInt(DuplicateReport.NearPair::second).max().orElseThrow();
    assertTrue(last < 59, "the listing covers a prefix of the entries, up to " + last);

    DuplicateFinder dropping =
        unbounded(new DatasetJob.Duplicates(null, null, List.of("instruction"), 10));
    for (int i = 0; i < 60; i++) {
      dropping.add(i, entry(templated(i), "", "x" + i));
    }
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> dropping.report(() -> {}));
    assertTrue(refused.getMessage().contains("duplicates.maxPairs (10)"), refused.getMessage());
  }

  /** 60 of these hold 485 pairs above 0.9 (scikit-learn). */
  private static String templated(int i) {
    return "Add "
        + (1000 + i)
        + " and 1 to the number, then write the result in words and explain each step.";
  }

  private static List<Integer> firsts(DuplicateReport report) {
    List<Integer> out = new ArrayList<>();
    report.near().get("output").forEach(p -> out.add(p.first()));
    Collections.sort(out);
    return out;
  }

  private static List<Integer> seconds(DuplicateReport report) {
    List<Integer> out = new ArrayList<>();
    report.near().get("output").forEach(p -> out.add(p.second()));
    Collections.sort(out);
    return out;
  }

  private static JsonNode entry(String instruction, String input, String output) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("instruction", instruction).put("input", input).put("output", output);
    return node;
  }

  /** A finder whose budget the bundled set is far from, on the tests' pool. */
  static DuplicateFinder unbounded(DatasetJob.Duplicates config) {
    return new DuplicateFinder(
        config,
        new SearchBudget(Integer.MAX_VALUE, Long.MAX_VALUE, Duration.ofDays(1), Clock.systemUTC()),
        POOL);
  }

  private static DuplicateFinder finder(DatasetJob.Duplicates config) {
    DuplicateFinder finder = unbounded(config);
    for (int i = 0; i < entries.size(); i++) {
      finder.add(i, entries.get(i));
    }
    return finder;
  }
}
