package io.llmft.dataset.service;

import io.llmft.common.job.JobState;
import io.llmft.dataset.duplicates.DuplicateReport;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The dataset document served by {@code GET /datasets/{id}}. */
@RegisterForReflection
public class DatasetState extends JobState {
  /** The last retried download of a URL source, while and after it resumed. */
  public String download;

  public String name;
  public String source;
  public String promptStyle;

  /** {@code alpaca} (the book's rows) or {@code chat} (conversations). */
  public String format;

  /** A chat dataset's kept rows, their turns and the turns of each role. */
  public ChatStats chat;

  /** {@code preference} when every kept entry has chosen and rejected, else {@code instruction}. */
  public String kind;

  public int allowedMaxLength;
  public double trainFraction;
  public double testFraction;
  public Long seed;
  public Integer total;
  public Map<String, Integer> counts;
  public TokenStats tokenStats;
  public List<Rejected> rejected = new ArrayList<>();

  /** What the duplicate search found (the listing: {@code GET /datasets/{id}/duplicates}). */
  public DuplicateReport.Summary duplicates;

  /** Token lengths of the training texts (prompt, response header and output). */
  @RegisterForReflection
  public record TokenStats(int min, int max, double mean, int overAllowedMaxLength) {}

  /** The rows, turns (messages, chosen and rejected answers included) and turns by role. */
  @RegisterForReflection
  public record ChatStats(int rows, long turns, Map<String, Long> roles) {}

  /** An entry that was left out, by its position in the source, and why. */
  @RegisterForReflection
  public record Rejected(int index, String reason) {}
}
