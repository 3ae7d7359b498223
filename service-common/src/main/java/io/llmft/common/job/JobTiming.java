package io.llmft.common.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;

/**
 * How far a job is and how fast it goes: since its first run started, the share done, the stage's
 * own rate (tokens/s for training and generation, entries/s for datasets and scoring) and the time
 * left at the pace so far.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobTiming(
    Instant startedAt,
    double elapsedSeconds,
    Double fraction,
    Double etaSeconds,
    Double rate,
    String rateUnit) {

  /** What a stage counts its pace in: {@code done} units so far. */
  public record Throughput(double done, String unit) {}

  /** The timing after {@code previous} (null: the first run starts now). */
  static JobTiming next(JobTiming previous, Double fraction, Throughput throughput) {
    return of(previous != null ? previous.startedAt() : Instant.now(), fraction, throughput);
  }

  /**
   * {@code metrics} with {@code "timing"} added (metrics of their own made an object if needed).
   */
  static JsonNode addTo(JsonNode metrics, JobTiming timing, ObjectMapper mapper) {
    if (timing == null) {
      return metrics;
    }
    ObjectNode m = metrics instanceof ObjectNode o ? o : mapper.createObjectNode();
    m.set("timing", mapper.valueToTree(timing));
    return m;
  }

  static JobTiming of(Instant startedAt, Double fraction, Throughput throughput) {
    double elapsed = Duration.between(startedAt, Instant.now()).toMillis() / 1000.0;
    Double eta =
        fraction != null && fraction > 0 && fraction <= 1
            ? elapsed * (1 - fraction) / fraction
            : null;
    Double rate = throughput != null && elapsed > 0 ? throughput.done() / elapsed : null;
    return new JobTiming(
        startedAt, elapsed, fraction, eta, rate, throughput == null ? null : throughput.unit());
  }
}
