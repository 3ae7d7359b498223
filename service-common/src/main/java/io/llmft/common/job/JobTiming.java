package io.llmft.common.job;

import com.fasterxml.jackson.annotation.JsonInclude;
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
