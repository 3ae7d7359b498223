package io.llmft.common.metrics;

import io.llmft.contract.JobStatus;
import io.llmft.contract.Stage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The job meters every stage shares: {@code llmft_jobs_total} (ended jobs by stage and status),
 * {@code llmft_job_duration_seconds} (the run that ended them, by stage and status) and {@code
 * llmft_jobs_running} (by stage).
 */
@Singleton
public class JobMetrics {
  private final MeterRegistry registry;
  private final Map<Stage, AtomicInteger> running = new ConcurrentHashMap<>();

  public JobMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A run of a job of {@code stage} starts. */
  public void runStarted(Stage stage) {
    running(stage).incrementAndGet();
  }

  /**
   * The run ended, with the job's terminal status, or null when it stopped to be resumed elsewhere.
   */
  public void runEnded(Stage stage, JobStatus status, Duration took) {
    running(stage).decrementAndGet();
    if (status != null) {
      Timer.builder("llmft.job.duration")
          .description("how long the run that ended a job took")
          .tag("stage", stage.id())
          .tag("status", status.name())
          .publishPercentileHistogram()
          .register(registry)
          .record(took);
    }
  }

  /** A job ended (succeeded, failed or was cancelled), with a run or without one. */
  public void ended(Stage stage, JobStatus status) {
    Counter.builder("llmft.jobs")
        .description("jobs that ended, by stage and status")
        .tag("stage", stage.id())
        .tag("status", status.name())
        .register(registry)
        .increment();
  }

  private AtomicInteger running(Stage stage) {
    return running.computeIfAbsent(
        stage,
        s ->
            registry.gauge(
                "llmft.jobs.running",
                io.micrometer.core.instrument.Tags.of("stage", s.id()),
                new AtomicInteger()));
  }
}
