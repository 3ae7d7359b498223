package io.llmft.common.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.llmft.contract.JobStatus;
import java.time.Instant;
import java.util.Map;

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

  /** The partition of the stage's job topic that the id maps to: its holder owns the job. */
  public Integer partition;

  /** The instance running the job now; null while no instance runs it. */
  public String owner;

  /** How often the job was retried after it had failed or been cancelled. */
  public int retries;

  /** Runs started; one that ended with its process is counted against {@code jobs.max-attempts}. */
  public int attempts;

  /** Why the last run ended early (a stop, a crash), when it did. */
  public String lastInterruption;

  /** Why a running job is waiting instead of working (e.g. the judge is unavailable). */
  public String waiting;

  /** Set once the work is done: the ids it produced, for the pipeline's next job. */
  public Map<String, String> produced;

  /** When the job's first run started, how far it is, how fast it goes, the time left. */
  public JobTiming timing;

  /**
   * The job's trace (W3C Trace Context): the {@code traceparent} it was created under and its trace
   * id; every run of the job, and the pipeline's next job, continue it.
   */
  public String traceParent;

  public String traceId;

  /**
   * Set by a retry request that marked the ended job RETRIED, until the job's owner takes the retry
   * (null otherwise).
   */
  public Boolean retryRequested;

  /** Whether the broker acknowledged the job's terminal event. */
  public boolean announced;

  /** The run this copy of the document belongs to, or null for a copy read outside a run. */
  @JsonIgnore private transient JobControl run;

  @JsonIgnore
  public boolean isTerminal() {
    return status.isTerminal();
  }

  /** Marks this copy as the document of {@code run}: its writes are checked against that run. */
  void belongsTo(JobControl run) {
    this.run = run;
  }

  /**
   * Before a write of this copy, from whatever thread makes it (a judge pool's thread reporting
   * progress included).
   *
   * @throws JobFencedException when its run is fenced
   */
  public void checkWritable() {
    if (run != null) {
      run.checkOwned();
    }
  }
}
