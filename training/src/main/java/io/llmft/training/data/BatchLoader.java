package io.llmft.training.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A PyTorch {@code DataLoader} over tokenized items: each {@link #epoch()} is a fresh pass, in
 * order or in a new permutation from the loader's seeded generator, optionally dropping the last
 * incomplete batch.
 */
public final class BatchLoader implements Loader<Batch> {
  private final CollatingLoader<?, Batch> loader;

  /** An item and the token count of its instruction part (-1: nothing masked). */
  private record Item(int[] tokens, int instructionLength) {}

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
    if (instructionLengths != null && instructionLengths.length != items.size()) {
      throw new IllegalArgumentException("one instruction length per item");
    }
    List<Item> all = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      all.add(new Item(items.get(i), instructionLengths == null ? -1 : instructionLengths[i]));
    }
    boolean masked = instructionLengths != null;
    this.loader =
        new CollatingLoader<>(
            all,
            batchSize,
            shuffle,
            dropLast,
            chunk ->
                collator.collate(
                    chunk.stream().map(Item::tokens).toList(),
                    masked ? chunk.stream().mapToInt(Item::instructionLength).toArray() : null),
            seed);
  }

  private BatchLoader(CollatingLoader<?, Batch> loader) {
    this.loader = loader;
  }

  /** A loader of rendered conversations, each with its targets. */
  public static BatchLoader ofConversations(
      List<io.llmft.text.ChatTargets.Item> items,
      int batchSize,
      boolean shuffle,
      boolean dropLast,
      ChatCollator collator,
      long seed) {
    return new BatchLoader(
        new CollatingLoader<>(items, batchSize, shuffle, dropLast, collator::collate, seed));
  }

  /** How many passes ({@link #epoch()} calls) this loader has made. */
  @Override
  public int passes() {
    return loader.passes();
  }

  /**
   * Puts the loader where it was after {@code passes} passes, so that the next {@link #epoch()} has
   * the order it had then (for resuming a run).
   */
  @Override
  public void restorePasses(int passes) {
    loader.restorePasses(passes);
  }

  /** {@code len(loader)}. */
  @Override
  public int batchCount() {
    return loader.batchCount();
  }

  /**
   * One pass over the data, like iterating the loader once: the order (a new permutation when
   * shuffling) is fixed now, each batch is collated when it is read.
   */
  @Override
  public List<Batch> epoch() {
    return loader.epoch();
  }
}
