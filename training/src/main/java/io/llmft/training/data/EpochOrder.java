package io.llmft.training.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The order a loader reads its items in, pass after pass: as they are, or a new permutation from
 * the loader's seeded generator each pass; it can be put back to where it was after some passes.
 */
final class EpochOrder {
  private final int size;
  private final boolean shuffle;
  private final long seed;
  private Random random;
  private int passes;

  EpochOrder(int size, boolean shuffle, long seed) {
    this.size = size;
    this.shuffle = shuffle;
    this.seed = seed;
    this.random = new Random(seed);
  }

  int passes() {
    return passes;
  }

  void restorePasses(int passes) {
    if (passes < 0) {
      throw new IllegalArgumentException("passes must not be negative");
    }
    random = new Random(seed);
    this.passes = 0;
    for (int i = 0; i < passes; i++) {
      next();
    }
  }

  List<Integer> next() {
    List<Integer> order = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      order.add(i);
    }
    if (shuffle) {
      Collections.shuffle(order, random);
    }
    passes++;
    return order;
  }
}
