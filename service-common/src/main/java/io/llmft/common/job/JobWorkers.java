package io.llmft.common.job;

import io.llmft.common.config.JobsConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The threads that run this instance's jobs ({@code jobs.concurrency} at once), so that neither a
 * Kafka poll loop nor an HTTP request waits for a job. Each job queued or running here has a {@link
 * JobControl}; stopping (SIGTERM, partitions revoked) asks the jobs to reach a safe point and waits
 * up to {@code jobs.stop-grace} for them, never interrupting one mid-write. A job still busy then
 * is fenced ({@link JobControl#fence}): its partition goes to the next owner, which resumes it, and
 * this run may not write anything more, so a job never has two writers.
 */
@ApplicationScoped
public class JobWorkers {
  private static final Logger LOG = Logger.getLogger(JobWorkers.class);

  private final ExecutorService executor;
  private final Duration grace;
  private final Map<String, Running> active = new ConcurrentHashMap<>();

  /** Jobs whose partition came back while a fenced run of theirs was still busy here. */
  private final Map<String, Resume> resumes = new ConcurrentHashMap<>();

  /** What runs once a job's run here has ended (a retry that came while it still announced). */
  private final Map<String, Runnable> afterRuns = new ConcurrentHashMap<>();

  private volatile boolean shuttingDown;

  private record Running(JobControl control, CountDownLatch done) {}

  private record Resume(int partition, Consumer<JobControl> work) {}

  public JobWorkers(JobsConfig config) {
    AtomicInteger n = new AtomicInteger();
    this.grace = config.stopGrace();
    this.executor =
        Executors.newFixedThreadPool(
            config.concurrency(),
            r -> {
              Thread t = new Thread(r, "job-worker-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Queues a job unless it is queued or running here already. A job whose run here was fenced (its
   * partition went away mid-step, and has come back) runs again as soon as that run ends: the
   * fenced run writes nothing, and the new one resumes from the saved progress.
   *
   * @return false when it was already here and not fenced, or this instance is shutting down
   */
  public synchronized boolean submit(String jobId, int partition, Consumer<JobControl> work) {
    if (shuttingDown) {
      return false;
    }
    Running current = active.get(jobId);
    if (current != null) {
      if (!current.control().isFenced()) {
        return false;
      }
      resumes.put(jobId, new Resume(partition, work));
      LOG.infof("job %s: its fenced run is still busy here; it resumes once that run ends", jobId);
      return true;
    }
    start(jobId, partition, work);
    return true;
  }

  private void start(String jobId, int partition, Consumer<JobControl> work) {
    Running running = new Running(new JobControl(jobId, partition), new CountDownLatch(1));
    active.put(jobId, running);
    executor.submit(
        () -> {
          try {
            running.control().runAs(() -> work.accept(running.control()));
          } catch (Throwable t) {
            LOG.errorf(t, "job %s ended its worker abnormally", jobId);
          } finally {
            Runnable after;
            synchronized (this) {
              active.remove(jobId, running);
              after = afterRuns.remove(jobId);
              Resume resume = resumes.remove(jobId);
              if (resume != null && !shuttingDown) {
                start(jobId, resume.partition(), resume.work());
              }
            }
            running.done().countDown();
            if (after != null && !shuttingDown) {
              try {
                after.run();
              } catch (RuntimeException e) {
                LOG.errorf(e, "job %s: what was to follow its run failed", jobId);
              }
            }
          }
        });
  }

  /**
   * Runs {@code then} once the job's run here has ended; false (and nothing kept) when none runs.
   */
  public synchronized boolean afterRun(String jobId, Runnable then) {
    if (!active.containsKey(jobId)) {
      return false;
    }
    afterRuns.put(jobId, then);
    return true;
  }

  public boolean isActive(String jobId) {
    return active.containsKey(jobId);
  }

  /**
   * Cancels a job queued or running here; false when it is not here, or only a fenced run of it is
   * (which writes nothing: the caller ends the job's document, and its queued resume is dropped).
   */
  public synchronized boolean cancel(String jobId) {
    Running running = active.get(jobId);
    if (running == null) {
      return false;
    }
    if (running.control().isFenced()) {
      resumes.remove(jobId);
      return false;
    }
    running.control().cancel();
    return true;
  }

  /** Stops the jobs of these partitions at their next safe point and waits for them. */
  public void stopPartitions(Collection<Integer> partitions, String reason) {
    resumes.values().removeIf(r -> partitions.contains(r.partition()));
    stopAndWait(
        active.values().stream().filter(r -> partitions.contains(r.control().partition())).toList(),
        reason);
  }

  /** SIGTERM: before Kafka and the other beans go, let every job reach a safe point. */
  void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
    synchronized (this) {
      shuttingDown = true;
    }
    stopAndWait(List.copyOf(active.values()), "the service instance is shutting down");
    executor.shutdown();
  }

  private void stopAndWait(List<Running> jobs, String reason) {
    if (jobs.isEmpty()) {
      return;
    }
    jobs.forEach(r -> r.control().stop(reason));
    long deadline = System.nanoTime() + grace.toNanos();
    for (Running r : jobs) {
      try {
        long left = deadline - System.nanoTime();
        if (!r.done().await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
          r.control().fence();
          LOG.warnf(
              "job %s did not reach a safe point within %s: fenced, it writes nothing more here;"
                  + " its next owner resumes it from its last saved progress",
              r.control().jobId(), grace);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    LOG.infof("%d job(s) stopped: %s", jobs.size(), reason);
  }
}
