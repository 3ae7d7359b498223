package io.llmft.common.job;

import java.time.Duration;

/**
 * What a running job checks at its safe points (between steps, batches, judge calls): whether it
 * was cancelled, or must stop because its instance shuts down or lost the job's partition; and what
 * every write of the job checks: whether it is {@linkplain #fence fenced}, its partition gone to
 * another owner while it was still busy. The worker thread running a job holds its control ({@link
 * #current}), so the stores and publishers check it without being handed it.
 */
public final class JobControl {
  private static final ThreadLocal<JobControl> CURRENT = new ThreadLocal<>();

  private final String jobId;
  private final int partition;
  private volatile String stopReason;
  private volatile boolean cancelled;
  private volatile boolean fenced;

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

  /**
   * The job did not reach a safe point before its partition moved on: from now on another instance
   * may run it, so this run may not write its document, events or artifacts any more.
   */
  public void fence() {
    fenced = true;
    stop("its partition has a new owner");
  }

  public boolean isFenced() {
    return fenced;
  }

  /**
   * Before a write of the job.
   *
   * @throws JobFencedException when the job is fenced
   */
  public void checkOwned() {
    if (fenced) {
      throw new JobFencedException(jobId);
    }
  }

  /** The control of the job this thread runs, or null off a job's thread. */
  public static JobControl current() {
    return CURRENT.get();
  }

  /** {@link #checkOwned} of the job this thread runs (nothing off a job's thread). */
  public static void checkCurrentOwned() {
    JobControl control = CURRENT.get();
    if (control != null) {
      control.checkOwned();
    }
  }

  /** Runs {@code work} as this job's thread: its writes are checked against this control. */
  void runAs(Runnable work) {
    CURRENT.set(this);
    try {
      work.run();
    } finally {
      CURRENT.remove();
    }
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
    checkOwned();
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
