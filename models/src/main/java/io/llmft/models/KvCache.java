package io.llmft.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of the tokens seen so far, per layer, for incremental decoding: each new token
 * attends to them instead of recomputing them. Preallocated, as llama3.java and vLLM do: each
 * layer's buffers (B, H, capacity, D) are made once, for as many positions as the requests may
 * reach ({@link #reserve}), and each step writes its new columns into them in place; only a step
 * that would pass the capacity moves them to larger buffers. The buffers live outside any {@link
 * NDScope} until the cache is closed. Shapes: (B, H, T, D), H the model's key/value heads.
 */
public final class KvCache implements AutoCloseable {
  private final NDArray[] keys;
  private final NDArray[] values;
  private int length;
  private int reserved;

  /** A cache for {@code layers} layers that makes room as the tokens come. */
  public KvCache(int layers) {
    this(layers, 0);
  }

  /**
   * @param reserve the positions to make room for at the first write (a request's prompt plus its
   *     new tokens); more are made when needed
   */
  public KvCache(int layers, int reserve) {
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
    this.reserved = Math.max(0, reserve);
  }

  /** How many positions are cached. */
  public int length() {
    return length;
  }

  /** How many positions fit before the buffers move (0 before the first write). */
  public int capacity() {
    return keys[0] == null ? 0 : (int) keys[0].getShape().get(2);
  }

  /** Makes room for at least {@code positions} positions, at the first write or now. */
  public void reserve(int positions) {
    reserved = Math.max(reserved, positions);
    if (keys[0] != null && positions > capacity()) {
      for (int i = 0; i < keys.length; i++) {
        grow(i, positions);
      }
    }
  }

  /**
   * Writes the new tokens' keys and values of {@code layer} at the columns after the cached ones
   * and returns all of them, cached and new: views (B, H, length + T, D) of the buffers. The length
   * moves on at {@link #advance}, once every layer has written.
   */
  public NDList append(int layer, NDArray k, NDArray v) {
    int end = Math.toIntExact(length + k.getShape().get(2));
    if (keys[layer] == null) {
      keys[layer] = zeros(k, Math.max(reserved, end));
      values[layer] = zeros(v, Math.max(reserved, end));
    } else if (end > keys[layer].getShape().get(2)) {
      grow(layer, Math.max(end, 2 * (int) keys[layer].getShape().get(2)));
    }
    NDIndex fresh = new NDIndex(":, :, {}:{}", length, end);
    keys[layer].set(fresh, k);
    values[layer].set(fresh, v);
    NDIndex all = new NDIndex(":, :, :{}", end);
    return new NDList(keys[layer].get(all), values[layer].get(all));
  }

  /**
   * Every layer's buffers, keys then values, made for a batch shaped as {@code like} (B, ...) with
   * {@code heads} heads of {@code headDim} when there are none yet, with room for {@code newTokens}
   * more: what a compiled graph writes its new columns into itself.
   */
  public NDArray[] buffers(NDArray like, long heads, long headDim, int newTokens) {
    int end = length + newTokens;
    Shape shape = new Shape(like.getShape().get(0), heads, Math.max(reserved, end), headDim);
    NDArray[] all = new NDArray[2 * keys.length];
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] == null) {
        keys[i] = detached(like.getManager().zeros(shape, like.getDataType()));
        values[i] = detached(like.getManager().zeros(shape, like.getDataType()));
      } else if (end > keys[i].getShape().get(2)) {
        grow(i, Math.max(end, 2 * (int) keys[i].getShape().get(2)));
      }
      all[2 * i] = keys[i];
      all[2 * i + 1] = values[i];
    }
    return all;
  }

  /** After every layer wrote {@code tokens} new columns. */
  public void advance(int tokens) {
    length += tokens;
  }

  /** Keeps only the given rows of the batch (when others have finished): (B) -> (B'). */
  public void keepRows(long[] rows) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        NDArray index = keys[i].getManager().create(rows);
        keys[i] = replace(keys[i], keys[i].get(new NDIndex("{}", index)));
        values[i] = replace(values[i], values[i].get(new NDIndex("{}", index)));
        index.close();
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
      reserved = Math.max(reserved, other.reserved);
      other.length = 0;
      return 0;
    }
    int width = Math.max(length, other.length);
    int shift = width - length;
    int room = Math.max(capacity() + shift, other.capacity() + width - other.length);
    for (int i = 0; i < keys.length; i++) {
      keys[i] = joined(keys[i], shift, other.keys[i], width - other.length, other.length, room);
      values[i] =
          joined(values[i], shift, other.values[i], width - other.length, other.length, room);
    }
    length = width;
    other.clear();
    return shift;
  }

  /** Both caches' rows in new buffers of {@code room} columns, each used part at its offset. */
  private NDArray joined(
      NDArray mine, int myOffset, NDArray theirs, int theirOffset, int theirLength, int room) {
    try (NDArray a = placed(mine, length, room, myOffset);
        NDArray b = placed(theirs, theirLength, room, theirOffset)) {
      NDArray both = detached(a.concat(b, 0));
      mine.close();
      return both;
    }
  }

  /** Drops the first {@code columns} positions of every row (which no row uses any more). */
  public void dropLeadingColumns(int columns) {
    if (columns <= 0) {
      return;
    }
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        int room = capacity();
        try (NDArray k = keys[i].get(new NDIndex(":, :, {}:", columns));
            NDArray v = values[i].get(new NDIndex(":, :, {}:", columns))) {
          keys[i] = replace(keys[i], placed(k, length - columns, room, 0));
          values[i] = replace(values[i], placed(v, length - columns, room, 0));
        }
      }
    }
    length -= columns;
  }

  /** Moves layer {@code i} to buffers of {@code room} columns. */
  private void grow(int i, int room) {
    keys[i] = replace(keys[i], placed(keys[i], length, room, 0));
    values[i] = replace(values[i], placed(values[i], length, room, 0));
  }

  /**
   * New zero buffers of {@code room} columns with the first {@code used} columns of {@code a} at
   * columns {@code offset} on.
   */
  private static NDArray placed(NDArray a, int used, int room, int offset) {
    NDArray out = zeros(a, room);
    if (used > 0) {
      try (NDArray part = a.get(new NDIndex(":, :, :{}", used))) {
        out.set(new NDIndex(":, :, {}:{}", offset, offset + used), part);
      }
    }
    return out;
  }

  /** Zero buffers shaped as {@code like} but with {@code room} columns, outside any scope. */
  private static NDArray zeros(NDArray like, int room) {
    long[] dims = like.getShape().getShape().clone();
    dims[2] = room;
    return detached(like.getManager().zeros(new Shape(dims), like.getDataType()));
  }

  private static NDArray replace(NDArray old, NDArray fresh) {
    detached(fresh);
    old.close();
    return fresh;
  }

  private static NDArray detached(NDArray a) {
    NDScope.unregister(a);
    return a;
  }

  /** Forgets everything (after the context window moved); the reserve stays. */
  public void clear() {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        keys[i].close();
        values[i].close();
      }
      keys[i] = null;
      values[i] = null;
    }
    length = 0;
  }

  @Override
  public void close() {
    clear();
  }
}
