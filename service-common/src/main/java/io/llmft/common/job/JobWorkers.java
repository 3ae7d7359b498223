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
  private volatile boolean shuttingDown;

  private record Running(JobControl control, CountDownLatch done) {}

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
   * Queues a job unless it is queued or running here already.
   *
   * @return false when it was already here, or this instance is shutting down
   */
  public synchronized boolean submit(String jobId, int partition, Consumer<JobControl> work) {
    if (shuttingDown || active.containsKey(jobId)) {
      return false;
    }
    Running running = new Running(new JobControl(jobId, partition), new CountDownLatch(1));
    active.put(jobId, running);
    executor.submit(
        () -> {
          try {
            running.control().runAs(() -> work.accept(running.control()));
          } catch (Throwable t) {
            LOG.errorf(t, "job %s ended its worker abnormally", jobId);
          } finally {
            active.remove(jobId, running);
            running.done().countDown();
          }
        });
    return true;
  }

  public boolean isActive(String jobId) {
    return active.containsKey(jobId);
  }

  /** Cancels a job queued or running here; false when it is not here. */
  public boolean cancel(String jobId) {
    Running running = active.get(jobId);
    if (running == null) {
      return false;
    }
    running.control().cancel();
    return true;
  }

  /** Stops the jobs of these partitions at their next safe point and waits for them. */
  public void stopPartitions(Collection<Integer> partitions, String reason) {
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
