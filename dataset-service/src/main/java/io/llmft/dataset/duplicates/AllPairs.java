package io.llmft.dataset.duplicates;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Every pair of texts whose TF-IDF cosine similarity is above a threshold, without the n × n
 * matrix: the all-pairs search with prefix filtering (Bayardo, Ma and Srikant, 2007).
 *
 * <p>Each text, in order, is indexed by its rarest n-grams only: the common ones (high document
 * frequency) are left out as long as their part of the unit vector has norm at most the threshold,
 * since a text that shares none of the indexed n-grams has a cosine at most that norm. A text is
 * then compared exactly only with the earlier texts it meets in the index whose partial dot product
 * plus that left-out norm can still pass the threshold. The similarity reported is the exact dot
 * product in doubles; the index keeps float weights and only prunes with a margin.
 */
final class AllPairs {
  /** Covers the float weights' rounding in the pruning bound (exact checks are in doubles). */
  private static final double MARGIN = 1e-5;

  private static final int CHECK_EVERY = 256;

  /** Two texts by their position in the fitted list, first < second. */
  record Pair(int first, int second, double similarity) {}

  /**
   * The pairs in order of their second text; when {@code truncated}, the search stopped at the
   * limit, so these are all the pairs among the texts up to the last second one.
   */
  record Result(List<Pair> pairs, boolean truncated) {}

  private AllPairs() {}

  /**
   * @param eligible which texts may be in a pair (all still count in the document frequencies)
   * @param check called every few hundred texts, to let a cancelled job stop
   */
  static Result above(
      TfidfVectors vectors, boolean[] eligible, double threshold, int maxPairs, Runnable check) {
    int n = eligible.length;
    Postings postings = new Postings(vectors.features());
    double[] leftOutNorm = new double[n];
    double[] partial = new double[n];
    int[] touched = new int[n];
    List<Pair> pairs = new ArrayList<>();
    double leftOutLimit = (threshold - MARGIN) * (threshold - MARGIN);
    boolean truncated = false;
    for (int y = 0; y < n && !truncated; y++) {
      if (y % CHECK_EVERY == 0) {
        check.run();
      }
      if (!eligible[y]) {
        continue;
      }
      TfidfVectors.Vector v = vectors.vector(y);
      if (v.size() == 0) {
        continue;
      }
      int met = 0;
      for (int k = 0; k < v.size(); k++) {
        int f = v.features()[k];
        int[] docs = postings.docs[f];
        float[] weights = postings.weights[f];
        for (int e = 0; e < postings.length[f]; e++) {
          int x = docs[e];
          if (partial[x] == 0) {
            touched[met++] = x;
          }
          partial[x] += weights[e] * v.weights()[k];
        }
      }
      Arrays.sort(touched, 0, met);
      List<Pair> found = new ArrayList<>();
      for (int t = 0; t < met; t++) {
        int x = touched[t];
        if (partial[x] + leftOutNorm[x] > threshold - MARGIN) {
          double similarity = vectors.vector(x).dot(v);
          if (similarity > threshold) {
            found.add(new Pair(x, y, similarity));
          }
        }
        partial[x] = 0;
      }
      truncated = pairs.size() + found.size() > maxPairs;
      if (!truncated) {
        pairs.addAll(found);
        leftOutNorm[y] = index(y, v, vectors, postings, leftOutLimit);
      }
    }
    pairs.sort(Comparator.comparingInt(Pair::first).thenComparingInt(Pair::second));
    return new Result(pairs, truncated);
  }

  /** Indexes text {@code y} by its rare n-grams; returns the norm of the common ones left out. */
  private static double index(
      int y, TfidfVectors.Vector v, TfidfVectors vectors, Postings postings, double leftOutLimit) {
    Integer[] order = new Integer[v.size()];
    for (int k = 0; k < order.length; k++) {
      order[k] = k;
    }
    Arrays.sort(
        order,
        Comparator.comparingInt((Integer k) -> -vectors.documentFrequency(v.features()[k]))
            .thenComparingInt(k -> v.features()[k]));
    double leftOut = 0;
    int k = 0;
    while (k < order.length) {
      double w = v.weights()[order[k]];
      if (leftOut + w * w > leftOutLimit) {
        break;
      }
      leftOut += w * w;
      k++;
    }
    for (; k < order.length; k++) {
      postings.add(v.features()[order[k]], y, (float) v.weights()[order[k]]);
    }
    return Math.sqrt(leftOut);
  }

  /** Per feature, the texts indexed by it and their weights. */
  private static final class Postings {
    final int[][] docs;
    final float[][] weights;
    final int[] length;

    Postings(int features) {
      docs = new int[features][];
      weights = new float[features][];
      length = new int[features];
    }

    void add(int feature, int doc, float weight) {
      int size = length[feature];
      if (docs[feature] == null) {
        docs[feature] = new int[4];
        weights[feature] = new float[4];
      } else if (size == docs[feature].length) {
        docs[feature] = Arrays.copyOf(docs[feature], size * 2);
        weights[feature] = Arrays.copyOf(weights[feature], size * 2);
      }
      docs[feature][size] = doc;
      weights[feature][size] = weight;
      length[feature] = size + 1;
    }
  }
}
