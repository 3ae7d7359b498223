package io.llmft.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;

/**
 * Keys and values of the tokens seen so far, per layer, for incremental decoding: each new token
 * attends to them instead of recomputing them. The arrays live outside any {@link NDScope} until
 * they are replaced or the cache is closed. Shapes: (B, H, T, D).
 */
public final class KvCache implements AutoCloseable {
  private final NDArray[] keys;
  private final NDArray[] values;
  private int length;

  public KvCache(int layers) {
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
  }

  /** How many positions are cached. */
  public int length() {
    return length;
  }

  public NDArray keys(int layer) {
    return keys[layer];
  }

  public NDArray values(int layer) {
    return values[layer];
  }

  public void put(int layer, NDArray k, NDArray v) {
    NDScope.unregister(k, v);
    close(keys[layer]);
    close(values[layer]);
    keys[layer] = k;
    values[layer] = v;
  }

  public void advance(int tokens) {
    length += tokens;
  }

  /** Keeps only the given rows of the batch (when others have finished): (B) -> (B'). */
  public void keepRows(long[] rows) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        NDArray index = keys[i].getManager().create(rows);
        NDArray k = keys[i].get(new NDIndex("{}", index));
        NDArray v = values[i].get(new NDIndex("{}", index));
        index.close();
        NDScope.unregister(k, v);
        keys[i].close();
        values[i].close();
        keys[i] = k;
        values[i] = v;
      }
    }
  }

  /**
   * Adds the rows of {@code other} after these, right-aligned: the shorter of the two is padded on
   * the left with zero keys and values, which the caller's masks must hide. {@code other} is left
   * empty.
   *
   * @return the columns added on the left of the rows that were here already
   */
  public int appendRows(KvCache other) {
    if (keys[0] == null) {
      for (int i = 0; i < keys.length; i++) {
        keys[i] = other.keys[i];
        values[i] = other.values[i];
        other.keys[i] = null;
        other.values[i] = null;
      }
      length = other.length;
      other.length = 0;
      return 0;
    }
    int width = Math.max(length, other.length);
    int shift = width - length;
    for (int i = 0; i < keys.length; i++) {
      NDArray k = leftPad(keys[i], width).concat(leftPad(other.keys[i], width), 0);
      NDArray v = leftPad(values[i], width).concat(leftPad(other.values[i], width), 0);
      NDScope.unregister(k, v);
      keys[i].close();
      values[i].close();
      keys[i] = k;
      values[i] = v;
    }
    length = width;
    other.clear();
    return shift;
  }

  /** (B, H, T, D) with zeros before it up to {@code width} columns (itself when it has them). */
  private static NDArray leftPad(NDArray a, int width) {
    long t = a.getShape().get(2);
    if (t == width) {
      return a;
    }
    long[] dims = a.getShape().getShape().clone();
    dims[2] = width - t;
    try (NDArray zeros =
        a.getManager().zeros(new ai.djl.ndarray.types.Shape(dims), a.getDataType())) {
      return zeros.concat(a, 2);
    }
  }

  /** Drops the first {@code columns} positions of every row (which no row uses any more). */
  public void dropLeadingColumns(int columns) {
    if (columns <= 0) {
      return;
    }
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        NDArray k = keys[i].get(new NDIndex(":, :, {}:", columns));
        NDArray v = values[i].get(new NDIndex(":, :, {}:", columns));
        NDScope.unregister(k, v);
        keys[i].close();
        values[i].close();
        keys[i] = k;
        values[i] = v;
      }
    }
    length -= columns;
  }

  /** Forgets everything (after the context window moved). */
  public void clear() {
    for (int i = 0; i < keys.length; i++) {
      close(keys[i]);
      close(values[i]);
      keys[i] = null;
      values[i] = null;
    }
    length = 0;
  }

  private static void close(NDArray array) {
    if (array != null) {
      array.close();
    }
  }

  @Override
  public void close() {
    clear();
  }
}
