package io.llmft.common.job;

/** Thrown by a job's work when a cancel request stopped it. */
public class JobCancelledException extends RuntimeException {
  public JobCancelledException(String id) {
    super("job " + id + " was cancelled");
  }
}
