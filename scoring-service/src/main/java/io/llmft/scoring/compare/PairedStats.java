package io.llmft.scoring.compare;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * Statistics of paired per-entry values, computed as numpy and scipy compute them: the paired
 * bootstrap percentile interval of a mean, and the Wilcoxon signed-rank test with {@code
 * scipy.stats.wilcoxon}'s defaults (zero differences dropped, two-sided, no continuity correction;
 * the exact null distribution for up to 50 distinct non-zero differences, every sign assignment for
 * up to 13 entries with ties or zeros, the normal approximation with tie correction beyond).
 */
public final class PairedStats {
  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);
  private static final int EXACT_UP_TO = 50;
  private static final int PERMUTE_UP_TO = 13;

  private PairedStats() {}

  /** A two-sided interval. */
  public record Interval(double low, double high) {}

  /** The Wilcoxon p-value and which of scipy's methods gave it. */
  public record Wilcoxon(double p, String method) {}

  public static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(Double.NaN);
  }

  /**
   * The percentile interval of the mean over {@code resamples} resamples of {@code values} with
   * replacement (the entries resampled together, so paired differences stay paired), as {@code
   * numpy.percentile}'s linear interpolation reads it.
   */
  public static Interval bootstrapMean(
      double[] values, int resamples, long seed, double confidence) {
    int n = values.length;
    if (n == 0) {
      return new Interval(Double.NaN, Double.NaN);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] means = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += values[random.nextInt(n)];
      }
      means[r] = sum / n;
    }
    Arrays.sort(means);
    double tail = (1 - confidence) / 2;
    return new Interval(percentile(means, tail), percentile(means, 1 - tail));
  }

  private static double percentile(double[] sorted, double q) {
    double position = q * (sorted.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
  }

  /** The two-sided Wilcoxon signed-rank test of {@code differences} against a zero median. */
  public static Wilcoxon wilcoxon(double[] differences) {
    int zeros = (int) Arrays.stream(differences).filter(d -> d == 0).count();
    double[] nonZero = Arrays.stream(differences).filter(d -> d != 0).toArray();
    int count = nonZero.length;
    if (count == 0) {
      return new Wilcoxon(Double.NaN, "none: every difference is zero");
    }
    double[] absolute = Arrays.stream(nonZero).map(Math::abs).toArray();
    double[] ranks = new NaturalRanking(TiesStrategy.AVERAGE).rank(absolute);
    double rPlus = 0;
    for (int i = 0; i < count; i++) {
      if (nonZero[i] > 0) {
        rPlus += ranks[i];
      }
    }
    boolean ties = Arrays.stream(absolute).distinct().count() < count;
    int n = differences.length;
    if (n <= EXACT_UP_TO && !ties && zeros == 0) {
      return new Wilcoxon(exact(count, rPlus), "exact");
    }
    if (n <= PERMUTE_UP_TO) {
      return new Wilcoxon(permutation(nonZero, ranks, rPlus), "permutation");
    }
    double mean = count * (count + 1.0) / 4;
    double variance = count * (count + 1.0) * (2.0 * count + 1.0);
    double tieCorrection = 0;
    double[] sorted = absolute.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < count; ) {
      int j = i;
      while (j < count && sorted[j] == sorted[i]) {
        j++;
      }
      double t = j - i;
      tieCorrection += t * t * t - t;
      i = j;
    }
    double se = Math.sqrt((variance - tieCorrection / 2) / 24);
    double z = (rPlus - mean) / se;
    return new Wilcoxon(Math.min(1, 2 * NORMAL.cumulativeProbability(-Math.abs(z))), "normal");
  }

  /** 2 min(P(T ≥ r+), P(T ≤ r+)) under the exact distribution of T over 2^n sign assignments. */
  private static double exact(int n, double rPlus) {
    int max = n * (n + 1) / 2;
    double[] ways = new double[max + 1];
    ways[0] = 1;
    for (int rank = 1; rank <= n; rank++) {
      for (int t = max; t >= rank; t--) {
        ways[t] += ways[t - rank];
      }
    }
    double total = Math.pow(2, n);
    int k = (int) Math.round(rPlus);
    double atMost = 0;
    double atLeast = 0;
    for (int t = 0; t <= max; t++) {
      if (t <= k) {
        atMost += ways[t];
      }
      if (t >= k) {
        atLeast += ways[t];
      }
    }
    return Math.min(1, 2 * Math.min(atMost, atLeast) / total);
  }

  /** scipy's exhaustive permutation test: the statistic under every flip of the signs. */
  private static double permutation(double[] nonZero, double[] ranks, double observed) {
    int n = nonZero.length;
    long total = 1L << n;
    long atMost = 0;
    long atLeast = 0;
    double tolerance = 1e-14 * Math.max(1, Math.abs(observed));
    for (long signs = 0; signs < total; signs++) {
      double rPlus = 0;
      for (int i = 0; i < n; i++) {
        boolean positive = (nonZero[i] > 0) != ((signs >> i & 1) == 1);
        if (positive) {
          rPlus += ranks[i];
        }
      }
      if (rPlus <= observed + tolerance) {
        atMost++;
      }
      if (rPlus >= observed - tolerance) {
        atLeast++;
      }
    }
    return Math.min(1, 2.0 * Math.min(atMost, atLeast) / total);
  }
}
