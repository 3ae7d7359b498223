package io.llmft.dataset.duplicates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.contract.DatasetJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The search's budget: past its entries, bytes or time it stops, drops nothing and says which
 * budget and how far it got, instead of keeping every text and running as long as it takes.
 */
class DuplicateBudgetTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Clock FROZEN =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final DatasetJob.Duplicates DROP_BY_OUTPUT =
      new DatasetJob.Duplicates(null, null, List.of("output"), null);

  /** Entries 0-2 differ; 3-5 repeat entry 0 (exactly) and 1 (nearly). */
  private static DuplicateFinder sixEntriesInto(DuplicateFinder finder) {
    finder.add(0, entry("Name a primary color.", "Blue is a primary color of paint."));
    finder.add(1, entry("Greet the reader.", "Hello there, dear reader, and welcome."));
    finder.add(2, entry("Count to three.", "One, two, three."));
    finder.add(4, entry("Name a primary color.", "Blue is a primary color of paint."));
    finder.add(5, entry("Greet the reader!", "Hello there, dear reader, and welcome!"));
    finder.add(7, entry("Name a primary color.", "Blue is a primary color of paint."));
    return finder;
  }

  private static ObjectNode entry(String instruction, String output) {
    return MAPPER.createObjectNode().put("instruction", instruction).put("output", output);
  }

  private static DuplicateFinder finder(int entries, long bytes, Duration time, Clock clock) {
    return new DuplicateFinder(
        DROP_BY_OUTPUT, new SearchBudget(entries, bytes, time, clock), NearDuplicatesTest.POOL);
  }

  @Test
  void withinItsBudgetTheSearchRunsToTheEndAndDrops() {
    DuplicateReport report =
        sixEntriesInto(finder(6, 10_000, Duration.ofSeconds(1), FROZEN)).report(() -> {});
    assertNull(report.stopped());
    assertEquals(List.of(List.of(0, 4, 7)), report.exact());
    assertEquals(
        List.of(
            new DuplicateReport.Dropped(4, 0),
            new DuplicateReport.Dropped(5, 1),
            new DuplicateReport.Dropped(7, 0)),
        report.dropped());
  }

  @Test
  void pastItsEntriesBudgetTheSearchKeepsNoMoreCoversThoseKeptAndDropsNothing() {
    DuplicateReport report =
        sixEntriesInto(finder(4, Long.MAX_VALUE, Duration.ofDays(1), FROZEN)).report(() -> {});
    DuplicateReport.Stopped stopped = report.stopped();
    assertEquals(SearchBudget.ENTRIES, stopped.budget());
    assertEquals(4, stopped.limit());
    assertEquals(4, stopped.entries());
    assertEquals(List.of("instruction", "input", "output"), stopped.keysSearched());
    assertTrue(stopped.reason().contains("from source index 5 on"), stopped.reason());
    assertEquals(List.of(List.of(0, 4)), report.exact(), "the kept entries are searched");
    assertEquals(List.of(), report.dropped());
    assertEquals(stopped, report.summary().stopped());
  }

  @Test
  void pastItsBytesBudgetTheSearchKeepsNoMore() {
    // "name a primary color" and "blue is a primary color of paint": 20 + 32 characters
    long firstEntry = 2 * (20 + 32);
    DuplicateFinder finder =
        sixEntriesInto(finder(100, firstEntry + 1, Duration.ofDays(1), FROZEN));
    assertEquals(firstEntry, finder.keptBytes());
    DuplicateReport report = finder.report(() -> {});
    DuplicateReport.Stopped stopped = report.stopped();
    assertEquals(SearchBudget.BYTES, stopped.budget());
    assertEquals(firstEntry + 1, stopped.limit());
    assertEquals(1, stopped.entries());
    assertTrue(stopped.reason().contains("from source index 1 on"), stopped.reason());
    assertEquals(List.of(), report.exact());
    assertEquals(List.of(), report.dropped());
  }

  @Test
  void pastItsTimeTheSearchStopsWhereItIsAndTheKeysLeftAreNotSearched() {
    DuplicateReport report =
        sixEntriesInto(finder(100, Long.MAX_VALUE, Duration.ZERO, FROZEN)).report(() -> {});
    DuplicateReport.Stopped stopped = report.stopped();
    assertEquals(SearchBudget.TIME, stopped.budget());
    assertEquals(0, stopped.limit());
    assertEquals(6, stopped.entries());
    assertEquals(List.of(), stopped.keysSearched());
    assertTrue(
        stopped.reason().contains("stopped in key 'instruction' after 0 of 6 texts"),
        stopped.reason());
    assertEquals(List.of("instruction"), List.copyOf(report.near().keySet()));
    assertEquals(List.of(), report.dropped());
    assertEquals(List.of(List.of(0, 4, 7)), report.exact(), "exact groups need no search time");
  }
}
