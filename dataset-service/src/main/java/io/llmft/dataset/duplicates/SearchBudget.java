package io.llmft.dataset.duplicates;

import java.time.Clock;
import java.time.Duration;

/**
 * How much the duplicate search may take: the entries and the bytes of text it keeps from the first
 * pass, and the time its look-ups may run (from the start of {@link DuplicateFinder#report}, on
 * {@code clock}). Past any of them the search stops where it is and the dataset goes on without it
 * (see {@link DuplicateReport.Stopped}).
 */
public record SearchBudget(int maxEntries, long maxBytes, Duration timeout, Clock clock) {
  public static final String ENTRIES = "entries";
  public static final String BYTES = "bytes";
  public static final String TIME = "time";

  /** Two bytes a character: the most a Java string holds a kept text in. */
  static long bytesOf(String text) {
    return 2L * text.length();
  }
}
