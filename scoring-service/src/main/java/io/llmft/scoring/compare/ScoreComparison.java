package io.llmft.scoring.compare;

/**
 * Model A against model B on the same entries, from each entry's two scores: A's wins, ties and
 * losses, the mean of A − B with its paired bootstrap 95% interval, and the Wilcoxon signed-rank
 * p-value of the differences.
 */
public record ScoreComparison(
    int n,
    int wins,
    int ties,
    int losses,
    double meanDifference,
    PairedStats.Interval interval,
    double wilcoxonP,
    String wilcoxonMethod) {

  public static ScoreComparison of(double[] a, double[] b, int resamples, long seed) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(a.length + " scores against " + b.length);
    }
    double[] d = new double[a.length];
    int wins = 0;
    int ties = 0;
    for (int i = 0; i < d.length; i++) {
      d[i] = a[i] - b[i];
      if (d[i] > 0) {
        wins++;
      } else if (d[i] == 0) {
        ties++;
      }
    }
    PairedStats.Wilcoxon test = PairedStats.wilcoxon(d);
    return new ScoreComparison(
        d.length,
        wins,
        ties,
        d.length - wins - ties,
        PairedStats.mean(d),
        PairedStats.bootstrapMean(d, resamples, seed, 0.95),
        test.p(),
        test.method());
  }
}
