package io.llmft.core.generate;

import io.llmft.contract.Sampling;
import java.util.Arrays;
import java.util.Random;

/** Picks the next token from the last position's logits, as the book's {@code generate}. */
public interface Sampler {
  int next(float[] logits);

  /** {@code torch.argmax}: the first index of the largest logit. */
  static Sampler greedy() {
    return logits -> {
      int best = 0;
      for (int i = 1; i < logits.length; i++) {
        if (logits[i] > logits[best]) {
          best = i;
        }
      }
      return best;
    };
  }

  /**
   * The book's chapter-5 sampling: logits below the k-th largest are masked (when topK is set),
   * then, with temperature > 0, divided by the temperature and sampled from the softmax with a
   * seeded generator; with temperature 0, greedy after the top-k mask (which is plain greedy).
   */
  static Sampler of(Sampling sampling) {
    if (sampling.greedy()) {
      return greedy();
    }
    double temperature = sampling.temperature();
    Integer topK = sampling.topK();
    Random random = sampling.seed() == null ? new Random() : new Random(sampling.seed());
    return logits -> {
      float[] scaled = logits.clone();
      if (topK != null && topK < scaled.length) {
        float[] sorted = scaled.clone();
        Arrays.sort(sorted);
        float kth = sorted[sorted.length - topK];
        for (int i = 0; i < scaled.length; i++) {
          if (scaled[i] < kth) {
            scaled[i] = Float.NEGATIVE_INFINITY;
          }
        }
      }
      double max = Double.NEGATIVE_INFINITY;
      for (float l : scaled) {
        max = Math.max(max, l / temperature);
      }
      double[] probs = new double[scaled.length];
      double sum = 0;
      for (int i = 0; i < scaled.length; i++) {
        probs[i] = Math.exp(scaled[i] / temperature - max);
        sum += probs[i];
      }
      double r = random.nextDouble() * sum;
      for (int i = 0; i < probs.length; i++) {
        r -= probs[i];
        if (r < 0) {
          return i;
        }
      }
      return probs.length - 1;
    };
  }
}
