package io.llmft.dataset.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.contract.JobEvent;
import io.llmft.contract.JobStatus;
import io.llmft.contract.Stage;
import java.time.Instant;

/**
 * One stage of a pipeline as its job-events told it: its job, status, when it started and ended,
 * and the headline numbers of its latest event.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StageRecord(
    Stage stage,
    String jobId,
    JobStatus status,
    Double progress,
    Instant firstSeen,
    Instant startedAt,
    Instant endedAt,
    Instant updatedAt,
    JsonNode metrics,
    String artifact,
    String error) {

  /** This record after {@code event}; an event older than what it holds changes nothing. */
  StageRecord with(JobEvent event) {
    if (updatedAt != null && event.timestamp() != null && event.timestamp().isBefore(updatedAt)) {
      return this;
    }
    boolean ended =
        event.status() == JobStatus.SUCCEEDED
            || event.status() == JobStatus.FAILED
            || event.status() == JobStatus.CANCELLED;
    return new StageRecord(
        event.stage(),
        event.jobId(),
        event.status(),
        event.progress() != null ? event.progress() : progress,
        firstSeen != null ? firstSeen : event.timestamp(),
        startedAt != null || event.status() != JobStatus.RUNNING ? startedAt : event.timestamp(),
        ended ? event.timestamp() : endedAt,
        event.timestamp(),
        event.metrics() != null ? event.metrics() : metrics,
        event.artifact() != null ? event.artifact() : artifact,
        event.error());
  }

  static StageRecord first(JobEvent event) {
    return new StageRecord(
            event.stage(), event.jobId(), null, null, null, null, null, null, null, null, null)
        .with(event);
  }
}
