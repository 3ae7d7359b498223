package io.llmft.inference.service;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llmft.models.Adapter;
import io.llmft.models.KvCache;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelConfig;
import io.llmft.models.Precision;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A model loader for fault tests: the models it loads can be slowed down and made to fail in the
 * output head of a pass over a given number of rows, and the load of one directory can be held.
 */
public class FaultyModels extends ModelLoader {
  /** Milliseconds each output-head call sleeps. */
  public volatile long slowHeadMillis;

  /** A pass over this many rows fails in its output head (0: none fails). */
  public volatile int failOnRows;

  /** A forward pass feeding at least this many columns fails, as an allocation would (0: none). */
  public volatile int failOnFed;

  /** A load of this directory waits for {@link #release} (null: none waits). */
  public volatile Path holdLoadOf;

  public final CountDownLatch loadStarted = new CountDownLatch(1);
  public final CountDownLatch release = new CountDownLatch(1);

  private final java.util.concurrent.atomic.AtomicInteger loading =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger mostLoading =
      new java.util.concurrent.atomic.AtomicInteger();

  /** The most loads that ran at once. */
  public int maxConcurrentLoads() {
    return mostLoading.get();
  }

  @Override
  public LanguageModel load(Path dir, NDManager manager) throws IOException {
    mostLoading.accumulateAndGet(loading.incrementAndGet(), Math::max);
    try {
      return loadCounted(dir, manager);
    } finally {
      loading.decrementAndGet();
    }
  }

  private LanguageModel loadCounted(Path dir, NDManager manager) throws IOException {
    if (dir.equals(holdLoadOf)) {
      loadStarted.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    return new Faulty(super.load(dir, manager));
  }

  private final class Faulty implements LanguageModel {
    private final LanguageModel model;

    Faulty(LanguageModel model) {
      this.model = model;
    }

    @Override
    public NDArray head(NDArray hidden) {
      if (slowHeadMillis > 0) {
        try {
          Thread.sleep(slowHeadMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failOnRows > 0 && hidden.getShape().get(0) == failOnRows) {
        throw new IllegalStateException("injected failure in a pass over " + failOnRows + " rows");
      }
      return model.head(hidden);
    }

    @Override
    public NDArray hidden(
        NDArray tokenIds, NDArray positionIds, NDArray attentionMask, KvCache cache) {
      if (failOnFed > 0 && tokenIds.getShape().get(1) >= failOnFed) {
        throw new IllegalStateException(
            "injected failure: no memory for " + failOnFed + " columns");
      }
      return model.hidden(tokenIds, positionIds, attentionMask, cache);
    }

    @Override
    public KvCache newCache(int reserve) {
      return model.newCache(reserve);
    }

    @Override
    public ModelConfig config() {
      return model.config();
    }

    @Override
    public NDManager manager() {
      return model.manager();
    }

    @Override
    public Precision precision() {
      return model.precision();
    }

    @Override
    public Adapter adapter() {
      return model.adapter();
    }

    @Override
    public Map<String, NDArray> parameters() {
      return model.parameters();
    }

    @Override
    public LanguageModel adapted(Adapter other) {
      return new Faulty(model.adapted(other));
    }

    @Override
    public Map<String, NDArray> checkpointTensors() {
      return model.checkpointTensors();
    }

    @Override
    public void close() {
      model.close();
    }
  }
}
