package io.llmft.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.llmft.models.LanguageModel;
import io.llmft.models.Tensors;
import io.llmft.models.engine.GradMode;
import io.llmft.training.data.PreferenceBatch;
import java.util.function.Supplier;

/**
 * Direct preference optimization as the book's DPO notebook computes it, against a frozen reference
 * model:
 *
 * <ul>
 *   <li>a sequence's log-probability is the <em>masked mean</em> over its scored positions of the
 *       log-softmax of {@code logits[:, :-1]} at the labels {@code ids[:, 1:]} (mask {@code [:,
 *       1:]}), not a sum;
 *   <li>the loss is {@code -logsigmoid(beta * ((policy_chosen - policy_rejected) - (ref_chosen -
 *       ref_rejected)))}, the mean over the batch;
 *   <li>the rewards are {@code policy_chosen - ref_chosen} and {@code policy_rejected -
 *       ref_rejected}, means over the batch, <em>not</em> multiplied by beta (the DPO paper and TRL
 *       multiply them).
 * </ul>
 *
 * Chosen and rejected sequences share one padded length, so each model runs them as one batch of
 * twice the rows; the output head is computed only at the scored positions, which gives the same
 * sums up to float rounding.
 */
public final class DpoObjective implements Objective<PreferenceBatch> {
  private final LanguageModel reference;
  private final double beta;

  /** What a batch scores: the loss and the two mean rewards. */
  public record Scores(double loss, double chosenReward, double rejectedReward) {}

  public DpoObjective(LanguageModel reference, double beta) {
    this.reference = reference;
    this.beta = beta;
  }

  public double beta() {
    return beta;
  }

  @Override
  public Supplier<NDArray> loss(LanguageModel policy, PreferenceBatch batch) {
    NDManager m = policy.manager();
    float[] ref;
    GradMode.disable();
    try (NDScope scope = new NDScope()) {
      ref = logProbs(reference, batch, m).toFloatArray(); // (2B): chosen rows, then rejected
    }
    return () -> scores(logProbs(policy, batch, m), m.create(ref), batch.size())[0];
  }

  /** The batch's loss and rewards, without gradients (the notebook's evaluation). */
  public Scores evaluate(LanguageModel policy, PreferenceBatch batch) {
    GradMode.disable();
    NDManager m = policy.manager();
    try (NDScope scope = new NDScope()) {
      NDArray[] s = scores(logProbs(policy, batch, m), logProbs(reference, batch, m), batch.size());
      return new Scores(s[0].getFloat(), s[1].getFloat(), s[2].getFloat());
    }
  }

  /** Loss, chosen reward and rejected reward (scalars) from both models' (2B) log-probs. */
  private NDArray[] scores(NDArray policy, NDArray ref, int b) {
    NDArray pc = policy.get(new NDIndex("0:{}", b));
    NDArray pr = policy.get(new NDIndex("{}:", b));
    NDArray rc = ref.get(new NDIndex("0:{}", b));
    NDArray rr = ref.get(new NDIndex("{}:", b));
    NDArray logits = pc.sub(pr).sub(rc.sub(rr));
    // -logsigmoid(z) = softplus(-z), libtorch's stable form (not the log of a sigmoid)
    NDArray losses = Activation.softPlus(logits.mul(Tensors.constant(logits, (float) beta)).neg());
    return new NDArray[] {losses.mean(), pc.sub(rc).mean(), pr.sub(rr).mean()};
  }

  /**
   * The masked mean log-probability of each sequence, chosen rows then rejected rows: (2B). The
   * head runs only at the positions whose next token is scored.
   */
  static NDArray logProbs(LanguageModel model, PreferenceBatch batch, NDManager m) {
    int b = batch.size();
    int t = batch.length();
    long[][] ids = new long[2 * b][];
    boolean[][] masks = new boolean[2 * b][];
    for (int i = 0; i < b; i++) {
      ids[i] = batch.chosen()[i];
      ids[b + i] = batch.rejected()[i];
      masks[i] = batch.chosenMask()[i];
      masks[b + i] = batch.rejectedMask()[i];
    }
    int scored = 0;
    for (boolean[] mask : masks) {
      for (int j = 1; j < t; j++) {
        scored += mask[j] ? 1 : 0;
      }
    }
    long[] positions = new long[scored];
    long[] labels = new long[scored];
    int[] first = new int[2 * b]; // each row's scored positions are picked[first .. first + count)
    float[] counts = new float[2 * b];
    int k = 0;
    for (int r = 0; r < 2 * b; r++) {
      first[r] = k;
      for (int j = 1; j < t; j++) {
        if (masks[r][j]) {
          positions[k] = (long) r * t + (j - 1); // the logits at j - 1 predict the token at j
          labels[k] = ids[r][j];
          counts[r]++;
          k++;
        }
      }
    }
    for (int r = 0; r < 2 * b; r++) {
      if (counts[r] == 0) {
        throw new IllegalArgumentException(
            "a preference pair scores no response token (cut by allowedMaxLength)");
      }
    }
    NDArray hidden =
        model.hidden(m.create(ids)).reshape(-1, model.config().hiddenSize()); // (2B*T, C)
    NDArray selected = hidden.get(new NDIndex("{}", m.create(positions))); // (K, C)
    NDArray logProbs = model.head(selected).logSoftmax(-1); // (K, V)
    NDArray picked =
        logProbs
            .gather(m.create(labels).expandDims(-1).toType(DataType.INT64, false), -1)
            .squeeze(-1); // (K)
    // each row's values side by side, padded with a 0 at index K: (2B, longest row), summed
    int longest = 0;
    for (float c : counts) {
      longest = Math.max(longest, (int) c);
    }
    long[] layout = new long[2 * b * longest];
    for (int r = 0; r < 2 * b; r++) {
      for (int c = 0; c < longest; c++) {
        layout[r * longest + c] = c < counts[r] ? first[r] + c : scored;
      }
    }
    NDArray padded = picked.concat(m.zeros(new Shape(1), picked.getDataType()));
    NDArray sums =
        padded.get(new NDIndex("{}", m.create(layout))).reshape(2L * b, longest).sum(new int[] {1});
    return sums.div(m.create(counts));
  }
}
