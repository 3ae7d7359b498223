package io.llmft.serving.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import io.llmft.models.KvCache;
import io.llmft.models.LanguageModel;
import io.llmft.models.engine.GradMode;
import java.util.Arrays;

/**
 * The book's {@code generate}: for each new token, crop the sequence to the last {@code
 * contextSize} tokens, take the last position's logits, pick the next token; stop at the
 * end-of-text id (not appended) or after {@code maxNewTokens}.
 */
public final class Generator {
  private final LanguageModel model;

  public Generator(LanguageModel model) {
    this.model = model;
  }

  /** {@link #generate(int[], int, int, Sampler, Integer, boolean)} with the KV cache. */
  public Generation generate(
      int[] prompt, int maxNewTokens, int contextSize, Sampler sampler, StopTokens stop) {
    return generate(prompt, maxNewTokens, contextSize, sampler, stop, true);
  }

  /**
   * @param useCache decode incrementally with a {@link KvCache} (same tokens, far less work); once
   *     the sequence outgrows the context window the window moves and every step is computed
   *     afresh, as without the cache
   */
  public Generation generate(
      int[] prompt,
      int maxNewTokens,
      int contextSize,
      Sampler sampler,
      StopTokens stop,
      boolean useCache) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("prompt must not be empty");
    }
    GradMode.disable();
    int[] tokens = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
    int length = prompt.length;
    int window = Math.min(contextSize, model.config().contextLength());
    NDManager manager = model.manager();
    int reserve = Math.min(window, prompt.length + maxNewTokens);
    try (KvCache cache = useCache ? model.newCache(reserve) : null) {
      for (int i = 0; i < maxNewTokens; i++) {
        int start = Math.max(0, length - window);
        if (cache != null && (start > 0 || cache.length() == 0)) {
          cache.clear(); // the window moved (or nothing is cached yet): feed the whole window
        }
        int from = cache == null ? start : start + cache.length();
        long[] fresh = new long[length - from];
        for (int j = from; j < length; j++) {
          fresh[j - from] = tokens[j];
        }
        float[] logits;
        try (NDScope scope = new NDScope()) {
          NDArray ids = manager.create(fresh).expandDims(0); // (1, T)
          NDArray last = model.hidden(ids, cache).get(new NDIndex(":, -1, :")); // (1, C)
          logits = model.head(last).toFloatArray(); // (V)
        }
        if (cache != null && start > 0) {
          cache.clear(); // a moved window is not reused
        }
        int next = sampler.next(logits);
        if (stop.stops(next)) {
          return new Generation(
              Arrays.copyOf(tokens, length), prompt.length, Generation.FinishReason.EOS);
        }
        tokens[length++] = next;
      }
    }
    return new Generation(
        Arrays.copyOf(tokens, length), prompt.length, Generation.FinishReason.LENGTH);
  }
}
