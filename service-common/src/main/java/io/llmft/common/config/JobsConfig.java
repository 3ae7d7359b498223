package io.llmft.common.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How a service runs the jobs it owns (env {@code JOBS_*}). */
@ConfigMapping(prefix = "jobs")
public interface JobsConfig {
  /** Jobs run at once per service instance. */
  @WithDefault("1")
  int concurrency();

  /** Runs of one job that may end with their process before the job is given up. */
  @WithDefault("3")
  int maxAttempts();

  /**
   * How long a stopping instance (SIGTERM, or its partitions revoked) waits for its jobs to reach a
   * safe point; keep it below the pod's termination grace period.
   */
  @WithDefault("25s")
  Duration stopGrace();

  /** How long a POST waits for the broker to acknowledge the job before it answers 503. */
  @WithDefault("25s")
  Duration publishTimeout();

  /** First and longest pause between attempts to publish a hand-off or a terminal event. */
  @WithDefault("500ms")
  Duration publishBackoff();

  @WithDefault("15s")
  Duration publishMaxBackoff();

  /** Attempts at one download (hub weights, a dataset URL), each resuming the last. */
  @WithDefault("5")
  int downloadAttempts();

  /** The pause before the second download attempt; it doubles for each further one. */
  @WithDefault("1s")
  Duration downloadBackoff();
}
