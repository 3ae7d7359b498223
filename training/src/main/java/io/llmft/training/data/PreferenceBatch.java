package io.llmft.training.data;

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

  /** Pairs {@code from} (inclusive) to {@code to} (exclusive), with the batch's common length. */
  public PreferenceBatch rows(int from, int to) {
    return new PreferenceBatch(
        java.util.Arrays.copyOfRange(chosen, from, to),
        java.util.Arrays.copyOfRange(rejected, from, to),
        java.util.Arrays.copyOfRange(chosenMask, from, to),
        java.util.Arrays.copyOfRange(rejectedMask, from, to));
  }

  /** The common sequence length. */
  public int length() {
    return chosen[0].length;
  }
}
