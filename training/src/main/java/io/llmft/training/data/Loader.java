package io.llmft.training.data;

import java.util.List;

/**
 * A PyTorch {@code DataLoader} as the training loop sees it: passes over the data, each in its own
 * order, and where it stands so that a resumed run reads the same batches.
 */
public interface Loader<B extends TrainingBatch> {
  /** One pass over the data; each batch is collated when it is read. */
  List<B> epoch();

  /** {@code len(loader)}. */
  int batchCount();

  /** How many passes ({@link #epoch()} calls) this loader has made. */
  int passes();

  /** Puts the loader where it was after {@code passes} passes (for resuming a run). */
  void restorePasses(int passes);
}
