package io.llmft.dataset.duplicates;

/** An open-addressing map from n-gram to feature id, without a boxed key per lookup. */
final class LongIntMap {
  private static final long EMPTY = 0; // never an n-gram (code points are never 0)
  private long[] keys = new long[1 << 12];
  private int[] values = new int[1 << 12];
  private int size;

  int size() {
    return size;
  }

  /** The value of {@code key}, or -1. */
  int get(long key) {
    int mask = keys.length - 1;
    for (int slot = slot(key, mask); ; slot = (slot + 1) & mask) {
      if (keys[slot] == key) {
        return values[slot];
      }
      if (keys[slot] == EMPTY) {
        return -1;
      }
    }
  }

  /** The value of {@code key}, which becomes the next id ({@link #size()}) when it is new. */
  int idOf(long key) {
    int mask = keys.length - 1;
    int slot = slot(key, mask);
    while (keys[slot] != EMPTY) {
      if (keys[slot] == key) {
        return values[slot];
      }
      slot = (slot + 1) & mask;
    }
    keys[slot] = key;
    values[slot] = size;
    if (++size * 2 > keys.length) {
      grow();
    }
    return size - 1;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new int[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != EMPTY) {
        int slot = slot(oldKeys[i], mask);
        while (keys[slot] != EMPTY) {
          slot = (slot + 1) & mask;
        }
        keys[slot] = oldKeys[i];
        values[slot] = oldValues[i];
      }
    }
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
