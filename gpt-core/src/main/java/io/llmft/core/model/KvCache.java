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

  NDArray keys(int layer) {
    return keys[layer];
  }

  NDArray values(int layer) {
    return values[layer];
  }

  void put(int layer, NDArray k, NDArray v) {
    NDScope.unregister(k, v);
    close(keys[layer]);
    close(values[layer]);
    keys[layer] = k;
    values[layer] = v;
  }

  void advance(int tokens) {
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
