package io.llmft.training.data;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The part of a PyTorch {@code DataLoader} every loader shares: passes over items in order or a new
 * seeded permutation each, cut into batches (the last incomplete one dropped or not), each batch
 * collated when it is read.
 */
final class CollatingLoader<I, B extends TrainingBatch> implements Loader<B> {
  private final List<I> items;
  private final int batchSize;
  private final boolean dropLast;
  private final Function<List<I>, B> collate;
  private final EpochOrder order;

  CollatingLoader(
      List<I> items,
      int batchSize,
      boolean shuffle,
      boolean dropLast,
      Function<List<I>, B> collate,
      long seed) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive");
    }
    this.items = List.copyOf(items);
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.collate = collate;
    this.order = new EpochOrder(items.size(), shuffle, seed);
  }

  @Override
  public int passes() {
    return order.passes();
  }

  @Override
  public void restorePasses(int passes) {
    order.restorePasses(passes);
  }

  @Override
  public int batchCount() {
    return dropLast ? items.size() / batchSize : (items.size() + batchSize - 1) / batchSize;
  }

  @Override
  public List<B> epoch() {
    List<Integer> order = this.order.next();
    int count = batchCount();
    return new AbstractList<>() {
      @Override
      public B get(int index) {
        Objects.checkIndex(index, count);
        int start = index * batchSize;
        int end = Math.min(start + batchSize, items.size());
        List<I> chunk = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
          chunk.add(items.get(order.get(i)));
        }
        return collate.apply(chunk);
      }

      @Override
      public int size() {
        return count;
      }
    };
  }
}
