package io.llmft.training.data;

/** A collated batch: {@code inputs} and {@code targets} are both (B, T). */
public record Batch(long[][] inputs, long[][] targets) implements TrainingBatch {
  public int size() {
    return inputs.length;
  }

  public int length() {
    return inputs.length == 0 ? 0 : inputs[0].length;
  }

  /** Rows {@code from} (inclusive) to {@code to} (exclusive), as their own batch. */
  public Batch rows(int from, int to) {
    return new Batch(
        java.util.Arrays.copyOfRange(inputs, from, to),
        java.util.Arrays.copyOfRange(targets, from, to));
  }

  /** {@code inputs.numel()} in the book's training loop. */
  @Override
  public long tokenCount() {
    return (long) size() * length();
  }
}
