package io.llmft.training.data;

import java.util.List;

/**
 * A PyTorch {@code DataLoader} over preference pairs, as {@link BatchLoader} is over instruction
 * items: each {@link #epoch()} a fresh pass, in order or a new seeded permutation, optionally
 * dropping the last incomplete batch.
 */
public final class PreferenceLoader implements Loader<PreferenceBatch> {
  private final CollatingLoader<PreferenceExample, PreferenceBatch> loader;

  public PreferenceLoader(
      List<PreferenceExample> items,
      int batchSize,
      boolean shuffle,
      boolean dropLast,
      PreferenceCollator collator,
      long seed) {
    this.loader =
        new CollatingLoader<>(items, batchSize, shuffle, dropLast, collator::collate, seed);
  }

  @Override
  public int passes() {
    return loader.passes();
  }

  @Override
  public void restorePasses(int passes) {
    loader.restorePasses(passes);
  }

  @Override
  public int batchCount() {
    return loader.batchCount();
  }

  @Override
  public List<PreferenceBatch> epoch() {
    return loader.epoch();
  }
}
