package io.llmft.scoring.compare;

import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/**
 * How well two judges agree on the same responses, as the book's correlation analysis reports it:
 * Pearson, Spearman (average ranks for ties) and Kendall's tau-b, and the mean absolute difference
 * of their scores, each judge's scores first mapped onto 0-100 so that a 1-5 rubric and the book's
 * 0-100 scale can be set side by side.
 */
public record Agreement(
    int n, double pearson, double spearman, double kendall, double meanAbsoluteDifference) {

  /**
   * @param x the first judge's scores, on 0-100
   * @param y the second judge's scores of the same responses, on 0-100
   */
  public static Agreement of(double[] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(x.length + " scores against " + y.length);
    }
    double mad = 0;
    for (int i = 0; i < x.length; i++) {
      mad += Math.abs(x[i] - y[i]);
    }
    boolean enough = x.length >= 2;
    return new Agreement(
        x.length,
        enough ? new PearsonsCorrelation().correlation(x, y) : Double.NaN,
        enough ? new SpearmansCorrelation().correlation(x, y) : Double.NaN,
        enough ? new KendallsCorrelation().correlation(x, y) : Double.NaN,
        x.length == 0 ? Double.NaN : mad / x.length);
  }
}
