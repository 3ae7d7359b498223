package io.llmft.contract;

/**
 * The job states of the contract. {@link #RETRIED} is a FAILED or CANCELLED job asked to run again
 * in place: announced once, then it is RUNNING as a PENDING job would be.
 */
public enum JobStatus {
  PENDING,
  RETRIED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  /** Whether a job in this state can be retried: it ended without succeeding. */
  public boolean isRetriable() {
    return this == FAILED || this == CANCELLED;
  }
}
