package io.llmft.dataset.duplicates;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * Every pair of texts whose TF-IDF cosine similarity is above a threshold, without the n × n
 * matrix: the all-pairs search with prefix filtering (Bayardo, Ma and Srikant, 2007).
 *
 * <p>Each text is indexed by its rarest n-grams only: the common ones (high document frequency) are
 * left out as long as their part of the unit vector has norm at most the threshold, since two texts
 * that share none of their indexed n-grams have a cosine at most that norm. Each text then looks up
 * the earlier texts that share one of its own indexed n-grams, and is compared exactly only with
 * those whose partial dot product, plus the two texts' norms over the n-grams that neither index
 * covers, can still pass. The similarity reported is the exact dot product in doubles; the index
 * keeps float weights and only prunes, with a margin.
 *
 * <p>The index is built first, in one pass; the look-ups then run on the search's own {@link
 * SearchPool}, a block of texts at a time split among its threads, each text against the texts
 * before it.
 */
final class AllPairs {
  /** Covers the float weights' rounding in the pruning bound (exact checks are in doubles). */
  private static final double MARGIN = 1e-5;

  /** Texts looked up between two safe points and two checks of the pair limit. */
  private static final int BLOCK = 2048;

  /** Two texts by their position in the fitted list, first < second. */
  record Pair(int first, int second, double similarity) {}

  /**
   * The pairs in order, among the texts before {@code reached}: every text when the search ran to
   * the end, fewer when it was told to stop. When {@code truncated}, the search stopped at the pair
   * limit, and these are all the pairs whose second text comes before the first text it did not
   * finish.
   */
  record Result(List<Pair> pairs, boolean truncated, int reached) {}

  private AllPairs() {}

  /**
   * @param eligible which texts may be in a pair (all still count in the document frequencies)
   * @param stop a safe point, called between blocks: it throws to cancel the job, and answers true
   *     to end the search there (out of time), with the pairs found so far
   * @param pool the threads that look up a block of texts
   */
  static Result above(
      TfidfVectors vectors,
      boolean[] eligible,
      double threshold,
      int maxPairs,
      BooleanSupplier stop,
      SearchPool pool) {
    Index index = new Index(vectors, eligible, threshold, stop);
    if (!index.complete) {
      return new Result(List.of(), false, 0);
    }
    List<Pair> pairs = new ArrayList<>();
    Probes probes = new Probes(eligible.length);
    for (int start = 0; start < eligible.length; start += BLOCK) {
      if (stop.getAsBoolean()) {
        return new Result(sorted(pairs), false, start);
      }
      List<Pair> block =
          lookUp(
              start,
              Math.min(eligible.length, start + BLOCK),
              index,
              vectors,
              threshold,
              probes,
              pool);
      if (pairs.size() + block.size() > maxPairs) {
        int upTo = block.get(maxPairs - pairs.size()).second();
        block.stream().filter(p -> p.second() < upTo).forEach(pairs::add);
        return new Result(sorted(pairs), true, upTo);
      }
      pairs.addAll(block);
    }
    return new Result(sorted(pairs), false, eligible.length);
  }

  /** The pairs whose second text is in [start, end), by (second, first): one task a thread. */
  private static List<Pair> lookUp(
      int start,
      int end,
      Index index,
      TfidfVectors vectors,
      double threshold,
      Probes probes,
      SearchPool pool) {
    int tasks = Math.min(pool.threads(), end - start);
    List<CompletableFuture<List<Pair>>> parts = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      int from = start + (int) ((long) (end - start) * t / tasks);
      int to = start + (int) ((long) (end - start) * (t + 1) / tasks);
      parts.add(
          CompletableFuture.supplyAsync(
              () -> probes.pairsOf(from, to, index, vectors, threshold), pool.executor()));
    }
    List<Pair> block = new ArrayList<>();
    parts.forEach(part -> block.addAll(part.join()));
    block.sort(Comparator.comparingInt(Pair::second).thenComparingInt(Pair::first));
    return block;
  }

  /** The accumulators, one set per task running at a time, reused from block to block. */
  private static final class Probes {
    private final int texts;
    private final Queue<Probe> idle = new ConcurrentLinkedQueue<>();

    Probes(int texts) {
      this.texts = texts;
    }

    List<Pair> pairsOf(int from, int to, Index index, TfidfVectors vectors, double threshold) {
      Probe probe = Objects.requireNonNullElseGet(idle.poll(), () -> new Probe(texts));
      try {
        List<Pair> found = new ArrayList<>();
        for (int y = from; y < to; y++) {
          if (index.common[y] != null) {
            found.addAll(probe.pairsOf(y, index, vectors, threshold));
          }
        }
        return found;
      } finally {
        idle.add(probe);
      }
    }
  }

  private static List<Pair> sorted(List<Pair> pairs) {
    pairs.sort(Comparator.comparingInt(Pair::first).thenComparingInt(Pair::second));
    return pairs;
  }

  /** Every eligible text's rare n-grams in postings ordered by text, and its checkpoints. */
  private static final class Index {
    final int[] rank;
    final Postings postings;
    final Checkpoints[] common;
    final double leftOutLimit;
    final boolean complete;

    Index(TfidfVectors vectors, boolean[] eligible, double threshold, BooleanSupplier stop) {
      rank = commonFirst(vectors);
      postings = new Postings(vectors.features());
      common = new Checkpoints[eligible.length];
      double reach = Math.max(0, threshold - MARGIN);
      leftOutLimit = reach * reach;
      boolean stopped = false;
      for (int y = 0; y < eligible.length && !stopped; y++) {
        if (y % BLOCK == 0 && stop.getAsBoolean()) {
          stopped = true;
          continue;
        }
        if (!eligible[y]) {
          continue;
        }
        TfidfVectors.Vector v = vectors.vector(y);
        if (v.size() == 0) {
          continue;
        }
        Ranked ranked = new Ranked(v, rank);
        int split = ranked.leftOutCount(leftOutLimit);
        common[y] = new Checkpoints(ranked, split);
        for (int j = split; j < ranked.order.length; j++) {
          int k = ranked.order[j];
          postings.add(v.features()[k], y, (float) v.weights()[k]);
        }
      }
      complete = !stopped;
    }
  }

  /** One thread's accumulators over the earlier texts. */
  private static final class Probe {
    final double[] partial;
    final int[] touched;

    Probe(int n) {
      partial = new double[n];
      touched = new int[n];
    }

    List<Pair> pairsOf(int y, Index index, TfidfVectors vectors, double threshold) {
      TfidfVectors.Vector v = vectors.vector(y);
      Ranked ranked = new Ranked(v, index.rank);
      int split = ranked.leftOutCount(index.leftOutLimit);
      int met = 0;
      for (int j = split; j < ranked.order.length; j++) {
        int k = ranked.order[j];
        int f = v.features()[k];
        int[] docs = index.postings.docs[f];
        float[] weights = index.postings.weights[f];
        double w = v.weights()[k];
        for (int e = 0, end = index.postings.length[f]; e < end; e++) {
          int x = docs[e];
          if (x >= y) {
            break;
          }
          if (partial[x] == 0) {
            touched[met++] = x;
          }
          partial[x] += weights[e] * w;
        }
      }
      int boundary = ranked.ranks[split];
      List<Pair> found = new ArrayList<>();
      for (int t = 0; t < met; t++) {
        int x = touched[t];
        // what the indexed parts did not add lies in n-grams ranked before the later of the two
        // boundaries (Cauchy-Schwarz on both texts' norms there)
        int before = Math.max(boundary, index.common[x].boundary());
        double bound = partial[x] + ranked.normBefore(before) * index.common[x].normBefore(before);
        partial[x] = 0;
        if (bound > threshold - MARGIN) {
          double similarity = vectors.vector(x).dot(v);
          if (similarity > threshold) {
            found.add(new Pair(x, y, similarity));
          }
        }
      }
      return found;
    }
  }

  /** Each feature's rank, most frequent first (ties by id): the order that splits each text. */
  private static int[] commonFirst(TfidfVectors vectors) {
    Integer[] features = new Integer[vectors.features()];
    for (int f = 0; f < features.length; f++) {
      features[f] = f;
    }
    Arrays.sort(
        features,
        Comparator.comparingInt((Integer f) -> -vectors.documentFrequency(f))
            .thenComparingInt(f -> f));
    int[] rank = new int[features.length];
    for (int r = 0; r < features.length; r++) {
      rank[features[r]] = r;
    }
    return rank;
  }

  /** A text's n-grams in rank order, with the squared norm of every prefix. */
  private static final class Ranked {
    final int[] order;
    final int[] ranks;
    final double[] squaresBefore;

    Ranked(TfidfVectors.Vector v, int[] rank) {
      int size = v.size();
      long[] keyed = new long[size];
      for (int k = 0; k < size; k++) {
        keyed[k] = ((long) rank[v.features()[k]] << 32) | k;
      }
      Arrays.sort(keyed);
      order = new int[size];
      ranks = new int[size + 1];
      squaresBefore = new double[size + 1];
      for (int j = 0; j < size; j++) {
        order[j] = (int) keyed[j];
        ranks[j] = (int) (keyed[j] >>> 32);
        double w = v.weights()[order[j]];
        squaresBefore[j + 1] = squaresBefore[j] + w * w;
      }
      ranks[size] = Integer.MAX_VALUE;
    }

    /** How many of the most common n-grams stay out of the index: their squared norm ≤ limit. */
    int leftOutCount(double limit) {
      int j = 0;
      while (j < order.length && squaresBefore[j + 1] <= limit) {
        j++;
      }
      return j;
    }

    /** The norm of this text's n-grams ranked before {@code rank}. */
    double normBefore(int rank) {
      int j = Arrays.binarySearch(ranks, 0, order.length, rank);
      return Math.sqrt(squaresBefore[j >= 0 ? j : -j - 1]);
    }
  }

  /**
   * An indexed text's norm over its n-grams ranked before a given rank, kept at a few of its ranks
   * only (the whole ranked vector of every text would not fit the service's heap): exact at its
   * boundary, an upper bound elsewhere.
   */
  private static final class Checkpoints {
    private static final int KEPT = 16;
    private final int[] ranks;
    private final float[] squares;

    Checkpoints(Ranked ranked, int split) {
      int indexed = ranked.order.length - split;
      int count = Math.min(KEPT, indexed + 1);
      ranks = new int[count];
      squares = new float[count];
      for (int c = 0; c < count; c++) {
        int j = split + (int) ((long) c * indexed / Math.max(1, count - 1));
        ranks[c] = ranked.ranks[j];
        squares[c] = Math.nextUp((float) ranked.squaresBefore[j]);
      }
    }

    int boundary() {
      return ranks[0];
    }

    double normBefore(int rank) {
      for (int c = 0; c < ranks.length; c++) {
        if (ranks[c] >= rank) {
          return Math.sqrt(squares[c]);
        }
      }
      return 1;
    }
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
