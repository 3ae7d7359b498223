package io.llmft.serving.generate;

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
   * seeded generator; with temperature 0, greedy after the top-k mask (which is plain greedy). With
   * top p (nucleus sampling), only the most likely tokens whose probabilities reach p together are
   * drawn from.
   */
  static Sampler of(Sampling sampling) {
    if (sampling.greedy()) {
      return greedy();
    }
    double temperature = sampling.temperature();
    Integer topK = sampling.topK();
    Double topP = sampling.topP();
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
      if (topP != null && topP < 1) {
        sum = nucleus(probs, sum, topP);
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

  /** Zeroes every probability outside the nucleus of mass {@code p}; returns the mass kept. */
  private static double nucleus(double[] probs, double sum, double p) {
    Integer[] order = new Integer[probs.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
    double kept = 0;
    int i = 0;
    while (i < order.length && kept < p * sum) {
      kept += probs[order[i++]];
    }
    for (; i < order.length; i++) {
      probs[order[i]] = 0;
    }
    return kept;
  }
}
