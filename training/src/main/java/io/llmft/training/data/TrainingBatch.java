package io.llmft.training.data;

/** A batch a training step consumes: instruction items or preference pairs. */
public interface TrainingBatch {
  /** The book's {@code tokens_seen} increment: the input ids of the batch ({@code numel()}). */
  long tokenCount();
}
