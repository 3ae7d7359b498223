package io.llmft.common;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.llmft.core.messages.JobStatus;
import java.time.Instant;

/**
 * What every job document has. Subclasses add their stage's fields; the document is persisted at
 * {@code jobs/{stage}/{id}.json} and served by the job's GET endpoint.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class JobState {
  public String id;
  public JobStatus status = JobStatus.PENDING;
  public String pipelineId;
  public String error;
  public Instant createdAt;
  public Instant updatedAt;

  @JsonIgnore
  public boolean isTerminal() {
    return status.isTerminal();
  }
}
