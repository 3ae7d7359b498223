package io.llmft.dataset.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The near-duplicate search's budget per dataset job (env {@code DUPLICATES_*}). Past any of them
 * the search stops, the dataset is prepared without it, and the job's {@code duplicates.stopped}
 * says which budget and how far the search got.
 */
@ConfigMapping(prefix = "duplicates")
public interface DuplicatesConfig {
  /** Valid entries the search keeps from the first pass (Stanford Alpaca has 52,002). */
  @WithDefault("100000")
  int maxEntries();

  /** Bytes of kept text, all searched keys together, two a character after preprocessing. */
  @WithDefault("67108864")
  long maxBytes();

  /** Time the search may run once the first pass is over, all keys together. */
  @WithDefault("10m")
  Duration timeout();

  /** Threads of the search's own pool, shared by concurrent jobs (default: the cores given). */
  Optional<Integer> threads();
}
