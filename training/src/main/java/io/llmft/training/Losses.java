package io.llmft.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.llmft.models.LanguageModel;
import io.llmft.training.data.Batch;
import io.llmft.training.data.InstructionCollator;

/** Cross-entropy as {@code torch.nn.functional.cross_entropy} with {@code ignore_index=-100}. */
public final class Losses {
  /** The book's {@code calc_loss_batch} as a training objective. */
  public static final Objective<Batch> CROSS_ENTROPY =
      (model, batch) -> () -> batchLoss(model, batch, model.manager());

  private Losses() {}

  /**
   * Mean negative log-likelihood of the targets over the rows whose target is not -100.
   *
   * @param logits (N, V)
   * @param targets (N), integer class ids or -100
   */
  public static NDArray crossEntropy(NDArray logits, NDArray targets) {
    NDArray t = targets.toType(DataType.INT64, false);
    NDArray valid = t.neq(InstructionCollator.IGNORE_INDEX); // (N)
    NDArray safeTargets = t.mul(valid.toType(DataType.INT64, false)).expandDims(-1); // (N, 1)
    NDArray logProbs = logits.logSoftmax(-1); // (N, V)
    NDArray picked = logProbs.gather(safeTargets, -1).squeeze(-1); // (N)
    NDArray validF = valid.toType(logits.getDataType(), false);
    return picked.mul(validF).sum().neg().div(validF.sum());
  }

  /** How many targets of the batch are not -100. */
  public static long targetCount(Batch batch) {
    long n = 0;
    for (long[] row : batch.targets()) {
      for (long target : row) {
        n += target != InstructionCollator.IGNORE_INDEX ? 1 : 0;
      }
    }
    return n;
  }

  /**
   * The book's {@code calc_loss_batch}: the mean cross-entropy of the batch. The output head and
   * the softmax are computed only at positions whose target is not -100, which gives the same value
   * (up to float rounding) while skipping the padding.
   */
  public static NDArray batchLoss(LanguageModel model, Batch batch, NDManager manager) {
    int b = batch.size();
    int t = batch.length();
    long[] keep = new long[b * t];
    long[] keptTargets = new long[b * t];
    int n = 0;
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        long target = batch.targets()[i][j];
        if (target != InstructionCollator.IGNORE_INDEX) {
          keep[n] = (long) i * t + j;
          keptTargets[n] = target;
          n++;
        }
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException("batch has no target that is not -100");
    }
    NDArray inputs = manager.create(batch.inputs()); // (B, T)
    NDArray hidden = model.hidden(inputs).reshape(-1, model.config().hiddenSize()); // (B*T, C)
    NDArray index = manager.create(java.util.Arrays.copyOf(keep, n)); // (N)
    NDArray selected = n == b * t ? hidden : hidden.get(new NDIndex("{}", index)); // (N, C)
    NDArray logits = model.head(selected); // (N, V)
    return crossEntropy(logits, manager.create(java.util.Arrays.copyOf(keptTargets, n)));
  }
}
