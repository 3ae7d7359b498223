package io.llmft.common;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The threads that run accepted jobs, so that neither a Kafka poll loop nor an HTTP request waits
 * for a job to finish.
 */
@ApplicationScoped
public class JobWorkers {
  private final ExecutorService executor;

  public JobWorkers(
      @ConfigProperty(name = "jobs.concurrency", defaultValue = "1") int concurrency) {
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            concurrency,
            r -> {
              Thread t = new Thread(r, "job-worker-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  public void submit(Runnable job) {
    executor.submit(job);
  }

  @PreDestroy
  void stop() {
    executor.shutdownNow();
  }
}
