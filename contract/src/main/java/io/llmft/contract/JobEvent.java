package io.llmft.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** A {@code job-events} message: every status change of every job, keyed by job id. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEvent(
    int schemaVersion,
    String jobId,
    String pipelineId,
    Stage stage,
    JobStatus status,
    Double progress,
    JsonNode metrics,
    String artifact,
    String error,
    Instant timestamp) {
  public static final int SCHEMA_VERSION = 1;
}
