package io.llmft.dataset.duplicates;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads the duplicate search's look-ups run on, a fixed number of them, so that one job's
 * search cannot take the JVM-wide common pool (nor more cores than it is given) from the rest of
 * the service. Searches of concurrent jobs share it.
 */
public final class SearchPool implements AutoCloseable {
  private final int threads;
  private final ExecutorService executor;

  public SearchPool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("the duplicate search needs at least one thread");
    }
    this.threads = threads;
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory =
        task -> {
          Thread thread = new Thread(task, "duplicate-search-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    this.executor = Executors.newFixedThreadPool(threads, factory);
  }

  int threads() {
    return threads;
  }

  ExecutorService executor() {
    return executor;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
