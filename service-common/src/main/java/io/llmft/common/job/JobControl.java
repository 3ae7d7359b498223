package io.llmft.common.job;

import java.time.Duration;

/**
 * What a running job checks at its safe points (between steps, batches, judge calls): whether it
 * was cancelled, or must stop because its instance shuts down or lost the job's partition.
 */
public final class JobControl {
  private final String jobId;
  private final int partition;
  private volatile String stopReason;
  private volatile boolean cancelled;

  public JobControl(String jobId, int partition) {
    this.jobId = jobId;
    this.partition = partition;
  }

  public String jobId() {
    return jobId;
  }

  public int partition() {
    return partition;
  }

  public synchronized void stop(String reason) {
    stopReason = reason;
    notifyAll();
  }

  public synchronized void cancel() {
    cancelled = true;
    notifyAll();
  }

  public boolean stopRequested() {
    return stopReason != null;
  }

  public boolean cancelRequested() {
    return cancelled;
  }

  /**
   * A safe point.
   *
   * @throws JobCancelledException when the job was cancelled
   * @throws JobStoppedException when it must stop and be resumed later
   */
  public void check() {
    if (cancelled) {
      throw new JobCancelledException(jobId);
    }
    if (stopReason != null) {
      throw new JobStoppedException(jobId, stopReason);
    }
  }

  /** Waits, returning early (by {@link #check()}) when the job is cancelled or stopped. */
  public void sleep(Duration duration) {
    long end = System.nanoTime() + duration.toNanos();
    synchronized (this) {
      check();
      long left;
      while ((left = end - System.nanoTime()) > 0) {
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new JobStoppedException(jobId, "interrupted");
        }
        check();
      }
    }
  }
}
