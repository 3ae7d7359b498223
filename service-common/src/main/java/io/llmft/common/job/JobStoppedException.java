package io.llmft.common.job;

/**
 * Thrown by a job's work at a safe point when its instance stops or loses the job's partition: the
 * job stays unfinished and its next owner resumes it.
 */
public class JobStoppedException extends RuntimeException {
  public JobStoppedException(String id, String reason) {
    super("job " + id + " stopped: " + reason);
  }
}
