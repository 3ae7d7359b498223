package io.llmft.dataset.service;

import io.llmft.contract.DatasetJob;
import io.llmft.dataset.config.DuplicatesConfig;
import io.llmft.dataset.duplicates.DuplicateFinder;
import io.llmft.dataset.duplicates.SearchBudget;
import io.llmft.dataset.duplicates.SearchPool;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The duplicate search's budget and its own thread pool, closed with the service. */
@Singleton
public class DuplicateSearch {
  private final SearchBudget budget;
  private final SearchPool pool;

  public DuplicateSearch(DuplicatesConfig config) {
    this.budget =
        new SearchBudget(
            config.maxEntries(), config.maxBytes(), config.timeout(), Clock.systemUTC());
    this.pool = new SearchPool(config.threads().orElse(Runtime.getRuntime().availableProcessors()));
  }

  /** A finder for one job's {@code duplicates}, within the service's budget. */
  DuplicateFinder finder(DatasetJob.Duplicates duplicates) {
    return new DuplicateFinder(duplicates, budget, pool);
  }

  @PreDestroy
  void close() {
    pool.close();
  }
}
