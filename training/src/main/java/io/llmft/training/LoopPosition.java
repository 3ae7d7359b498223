package io.llmft.training;

import io.llmft.training.data.Loader;
import io.llmft.training.data.TrainingBatch;
import java.util.List;

/**
 * Where the training loop stands after {@code step} optimizer steps: all a run needs to continue
 * exactly there, with the same batches in the same order.
 *
 * @param step optimizer steps done (the book's {@code global_step + 1})
 * @param epoch the epoch (from 1) the last step belonged to
 * @param batchesDoneInEpoch how many of that epoch's batches were trained on
 * @param epochPass the training loader's pass that gave that epoch its order
 * @param loaderPasses the training loader's passes so far (evaluations make passes too)
 * @param tokensSeen the book's {@code tokens_seen}: input tokens of every batch trained on
 */
public record LoopPosition(
    int step, int epoch, int batchesDoneInEpoch, int epochPass, int loaderPasses, long tokensSeen) {

  /** Before the first step. */
  public static final LoopPosition START = new LoopPosition(0, 1, 0, 0, 0, 0);

  /** The book's {@code global_step} of the last step: it counts from 0. */
  public int globalStep() {
    return step - 1;
  }

  /**
   * Begins {@code epoch} — or, when it is the epoch this position is in, goes back into it — and
   * returns the position there with the batches still to train on in that epoch.
   */
  <B extends TrainingBatch> Epoch<B> enter(int epoch, Loader<B> loader) {
    if (epoch == this.epoch && batchesDoneInEpoch > 0) {
      loader.restorePasses(epochPass); // the same order as the epoch had
      List<B> batches = loader.epoch();
      loader.restorePasses(loaderPasses);
      return new Epoch<>(this, batches.subList(batchesDoneInEpoch, batches.size()));
    }
    int pass = loader.passes();
    List<B> batches = loader.epoch();
    return new Epoch<>(
        new LoopPosition(step, epoch, 0, pass, loader.passes(), tokensSeen), batches);
  }

  /** After one more optimizer step on {@code batch}. */
  LoopPosition after(TrainingBatch batch) {
    return new LoopPosition(
        step + 1,
        epoch,
        batchesDoneInEpoch + 1,
        epochPass,
        loaderPasses,
        tokensSeen + batch.tokenCount());
  }

  /** With the training loader's pass count as it is now (an evaluation made a pass). */
  LoopPosition withLoaderPasses(int passes) {
    return new LoopPosition(step, epoch, batchesDoneInEpoch, epochPass, passes, tokensSeen);
  }

  /** An epoch entered: the position at its start (or where it was left) and its batches to go. */
  record Epoch<B>(LoopPosition position, List<B> remaining) {}
}
