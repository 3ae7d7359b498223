package io.llmft.training;

import io.llmft.training.data.Batch;
import io.llmft.training.data.PreferenceBatch;

/**
 * How the data-parallel step divides a batch among replicas: which rows each takes, and the share
 * of the whole batch's loss those rows carry, so that the replicas' weighted losses sum to the
 * single-device loss. A share of 0 means the rows score nothing (no loss, no gradient).
 */
interface BatchSplit<B> {
  int size(B batch);

  B rows(B batch, int from, int to);

  double share(B batch, B rows);

  /** Cross-entropy is a mean over the targets that are not -100: rows weigh by their targets. */
  BatchSplit<Batch> TARGETS =
      new BatchSplit<>() {
        @Override
        public int size(Batch batch) {
          return batch.size();
        }

        @Override
        public Batch rows(Batch batch, int from, int to) {
          return batch.rows(from, to);
        }

        @Override
        public double share(Batch batch, Batch rows) {
          long total = Losses.targetCount(batch);
          if (total == 0) {
            throw new IllegalArgumentException("batch has no target that is not -100");
          }
          return (double) Losses.targetCount(rows) / total;
        }
      };

  /** DPO's loss is a mean over the pairs: rows weigh by their pairs. */
  BatchSplit<PreferenceBatch> PAIRS =
      new BatchSplit<>() {
        @Override
        public int size(PreferenceBatch batch) {
          return batch.size();
        }

        @Override
        public PreferenceBatch rows(PreferenceBatch batch, int from, int to) {
          return batch.rows(from, to);
        }

        @Override
        public double share(PreferenceBatch batch, PreferenceBatch rows) {
          return (double) rows.size() / batch.size();
        }
      };
}
