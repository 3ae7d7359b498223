package io.llmft.core.data;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A PyTorch {@code DataLoader} over preference pairs, as {@link BatchLoader} is over instruction
 * items: each {@link #epoch()} a fresh pass, in order or a new seeded permutation, optionally
 * dropping the last incomplete batch.
 */
public final class PreferenceLoader implements Loader<PreferenceBatch> {
  private final List<PreferenceExample> items;
  private final int batchSize;
  private final boolean dropLast;
  private final PreferenceCollator collator;
  private final EpochOrder order;

  public PreferenceLoader(
      List<PreferenceExample> items,
      int batchSize,
      boolean shuffle,
      boolean dropLast,
      PreferenceCollator collator,
      long seed) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive");
    }
    this.items = List.copyOf(items);
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.collator = collator;
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
  public List<PreferenceBatch> epoch() {
    List<Integer> order = this.order.next();
    int count = batchCount();
    return new AbstractList<>() {
      @Override
      public PreferenceBatch get(int index) {
        Objects.checkIndex(index, count);
        int start = index * batchSize;
        int end = Math.min(start + batchSize, items.size());
        List<PreferenceExample> chunk = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
          chunk.add(items.get(order.get(i)));
        }
        return collator.collate(chunk);
      }

      @Override
      public int size() {
        return count;
      }
    };
  }
}
