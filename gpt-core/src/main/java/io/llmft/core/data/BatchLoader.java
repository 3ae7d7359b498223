package io.llmft.core.data;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A PyTorch {@code DataLoader} over tokenized items: each {@link #epoch()} is a fresh pass, in
 * order or in a new permutation from the loader's seeded generator, optionally dropping the last
 * incomplete batch.
 */
public final class BatchLoader implements Loader<Batch> {
  private final List<int[]> items;
  private final int[] instructionLengths;
  private final int batchSize;
  private final boolean dropLast;
  private final InstructionCollator collator;
  private final EpochOrder order;

  public BatchLoader(
      List<int[]> items,
      int batchSize,
      boolean shuffle,
      boolean dropLast,
      InstructionCollator collator,
      long seed) {
    this(items, null, batchSize, shuffle, dropLast, collator, seed);
  }

  /**
   * @param instructionLengths per item, the token count of its instruction part, whose targets are
   *     masked (Exercise 7.2); null masks nothing
   */
  public BatchLoader(
      List<int[]> items,
      int[] instructionLengths,
      int batchSize,
      boolean shuffle,
      boolean dropLast,
      InstructionCollator collator,
      long seed) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive");
    }
    if (instructionLengths != null && instructionLengths.length != items.size()) {
      throw new IllegalArgumentException("one instruction length per item");
    }
    this.items = List.copyOf(items);
    this.instructionLengths = instructionLengths;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.collator = collator;
    this.order = new EpochOrder(items.size(), shuffle, seed);
  }

  /** How many passes ({@link #epoch()} calls) this loader has made. */
  @Override
  public int passes() {
    return order.passes();
  }

  /**
   * Puts the loader where it was after {@code passes} passes, so that the next {@link #epoch()} has
   * the order it had then (for resuming a run).
   */
  @Override
  public void restorePasses(int passes) {
    order.restorePasses(passes);
  }

  /** {@code len(loader)}. */
  @Override
  public int batchCount() {
    return dropLast ? items.size() / batchSize : (items.size() + batchSize - 1) / batchSize;
  }

  /**
   * One pass over the data, like iterating the loader once: the order (a new permutation when
   * shuffling) is fixed now, each batch is collated when it is read.
   */
  @Override
  public List<Batch> epoch() {
    List<Integer> order = this.order.next();
    int count = batchCount();
    return new AbstractList<>() {
      @Override
      public Batch get(int index) {
        Objects.checkIndex(index, count);
        int start = index * batchSize;
        int end = Math.min(start + batchSize, items.size());
        List<int[]> chunk = new ArrayList<>(end - start);
        int[] lengths = instructionLengths == null ? null : new int[end - start];
        for (int i = start; i < end; i++) {
          chunk.add(items.get(order.get(i)));
          if (lengths != null) {
            lengths[i - start] = instructionLengths[order.get(i)];
          }
        }
        return collator.collate(chunk, lengths);
      }

      @Override
      public int size() {
        return count;
      }
    };
  }
}
