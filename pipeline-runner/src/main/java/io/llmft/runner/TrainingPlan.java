package io.llmft.runner;

import io.llmft.contract.ModelRef;
import io.llmft.contract.ModelShape;
import io.llmft.contract.TrainingJob;
import java.util.ArrayList;
import java.util.List;

/**
 * The main job's training settings. A real GPT-2 is finetuned with the book's chapter-7 settings.
 * The random-init demo model starts from noise: at the book's finetuning rate (5e-5, meant for
 * weights that already know English) it would learn next to nothing in minutes, so it gets
 * from-scratch settings — a rate twenty times higher, warmed up and decayed as in the book's
 * appendix D, more epochs, evaluation less often — unless an option sets them.
 */
final class TrainingPlan {
  /** A setting the plan chose differently from the book, and why. */
  record Difference(String name, String value, String book, String why) {}

  static final int FROM_SCRATCH_EPOCHS = 5;
  static final double FROM_SCRATCH_LEARNING_RATE = 1e-3;
  static final int FROM_SCRATCH_WARMUP_STEPS = 30;
  static final String FROM_SCRATCH_DECAY = "cosine";
  static final int FROM_SCRATCH_EVAL_FREQ = 25;

  private static final int BOOK_EPOCHS = 2;
  private static final double BOOK_LEARNING_RATE = 5e-5;
  private static final int BOOK_EVAL_FREQ = 5;

  final ModelRef baseModel;
  final int epochs;
  final double learningRate;
  final int warmupSteps;
  final String lrDecay;
  final int evalFreq;
  final Integer maxSteps;
  private final boolean fromScratch;

  private TrainingPlan(RunnerOptions o) {
    fromScratch = o.baseModelPath == null;
    baseModel =
        fromScratch
            ? new ModelRef.RandomInit(
                new ModelShape(o.embDim, o.layers, o.heads, o.contextLength, null),
                ModelRef.RandomInit.DEFAULT_SEED)
            : new ModelRef.LocalPath(o.baseModelPath);
    epochs = pick(o.epochs, FROM_SCRATCH_EPOCHS, BOOK_EPOCHS);
    learningRate = pick(o.learningRate, FROM_SCRATCH_LEARNING_RATE, BOOK_LEARNING_RATE);
    warmupSteps = pick(o.warmupSteps, FROM_SCRATCH_WARMUP_STEPS, 0);
    lrDecay = pick(o.lrDecay, FROM_SCRATCH_DECAY, "none");
    evalFreq = pick(o.evalFreq, FROM_SCRATCH_EVAL_FREQ, BOOK_EVAL_FREQ);
    maxSteps = o.maxSteps;
  }

  static TrainingPlan of(RunnerOptions options) {
    return new TrainingPlan(options);
  }

  private <T> T pick(T given, T fromScratchValue, T book) {
    return given != null ? given : fromScratch ? fromScratchValue : book;
  }

  /**
   * The training step of the pipeline message (its ids are filled in as stages finish).
   *
   * @param chatTemplate the template a chat run names for a base model without one, or null
   */
  TrainingJob job(String chatTemplate) {
    return new TrainingJob(
        null,
        null,
        null,
        baseModel,
        epochs,
        null,
        learningRate,
        null,
        evalFreq,
        null,
        null,
        null,
        null,
        null,
        maxSteps,
        warmupSteps == 0 ? null : warmupSteps,
        lrDecay.equals("none") ? null : lrDecay,
        null,
        null,
        null,
        null,
        null,
        null,
        chatTemplate,
        null,
        null,
        null);
  }

  /** Where this plan leaves the book's chapter-7 settings, with the reason. */
  List<Difference> differences() {
    List<Difference> d = new ArrayList<>();
    String why =
        fromScratch
            ? "a random-init model learns next to nothing at the book's finetuning settings in"
                + " minutes"
            : "set by an option";
    if (learningRate != BOOK_LEARNING_RATE) {
      d.add(new Difference("learningRate", String.valueOf(learningRate), "5.0E-5", why));
    }
    if (warmupSteps != 0) {
      d.add(
          new Difference(
              "warmupSteps",
              String.valueOf(warmupSteps),
              "0",
              fromScratch ? "a high rate from noise diverges without a warmup (appendix D)" : why));
    }
    if (!lrDecay.equals("none")) {
      d.add(new Difference("lrDecay", lrDecay, "none", fromScratch ? "appendix D's decay" : why));
    }
    if (epochs != BOOK_EPOCHS) {
      d.add(new Difference("epochs", String.valueOf(epochs), "2", why));
    }
    if (evalFreq != BOOK_EVAL_FREQ) {
      d.add(
          new Difference(
              "evalFreq",
              String.valueOf(evalFreq),
              "5",
              fromScratch
                  ? "evaluating 10 batches every 5 steps would take a third of the run"
                  : why));
    }
    return d;
  }
}
