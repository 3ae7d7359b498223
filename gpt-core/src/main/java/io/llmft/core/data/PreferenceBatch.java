package io.llmft.core.data;

/**
 * A collated batch of preference pairs: chosen and rejected sequences of one common length, and for
 * each the positions whose tokens are scored (true) — the response, not the prompt nor the padding.
 */
public record PreferenceBatch(
    long[][] chosen, long[][] rejected, boolean[][] chosenMask, boolean[][] rejectedMask)
    implements TrainingBatch {
  public int size() {
    return chosen.length;
  }

  /** The notebook's {@code chosen.numel()}. */
  @Override
  public long tokenCount() {
    return (long) size() * length();
  }

  /** The common sequence length. */
  public int length() {
    return chosen[0].length;
  }
}
