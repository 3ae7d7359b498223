package io.llmft.training.bench;

import ai.djl.ndarray.NDManager;
import io.llmft.models.Precision;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.Gpt2Weights;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.training.AdamW;
import io.llmft.training.BookTrainer;
import io.llmft.training.data.Batch;
import java.util.Random;

/**
 * The loss drift of bf16 matrix products against fp32: the same initialisation trained on the same
 * batches once per precision, as {@code scripts/benchmark.sh drift} runs it. Each step's batch is
 * new: random sequences over the first 1,000 token ids, targets the inputs shifted by one, which a
 * model can start to fit in a few steps.
 *
 * <p>Arguments: preset (default "gpt2-small (124M)"), steps (10), batch (8), length (64), lr
 * (5e-4).
 */
public final class PrecisionDriftBenchmark {
  private PrecisionDriftBenchmark() {}

  public static void main(String[] args) {
    String preset = args.length > 0 ? args[0] : "gpt2-small (124M)";
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    int length = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    double lr = args.length > 4 ? Double.parseDouble(args[4]) : 5e-4;
    DjlRuntime.init();
    GptConfig config = GptConfig.preset(preset);
    double[][] losses = new double[2][steps];
    double[] seconds = new double[2];
    for (Precision precision : Precision.values()) {
      Random random = new Random(1);
      try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device());
          Gpt2Model model =
              Gpt2Model.builder(Gpt2Weights.randomInit(config, 123, manager))
                  .precision(precision)
                  .build()) {
        model.parameters().values().forEach(p -> p.setRequiresGradient(true));
        BookTrainer trainer = new BookTrainer(model);
        try (AdamW optimizer = new AdamW(model.parameters(), lr, 0.1, manager)) {
          long start = System.nanoTime();
          for (int step = 0; step < steps; step++) {
            losses[precision.ordinal()][step] =
                trainer.trainStep(shiftedBatch(random, batchSize, length), optimizer);
          }
          seconds[precision.ordinal()] = (System.nanoTime() - start) / 1e9;
        }
      }
    }
    System.out.printf(
        "%s, %d steps of batch %d x %d, AdamW lr %s, device %s%n",
        preset, steps, batchSize, length, lr, DjlRuntime.device());
    System.out.println("  step    fp32 loss    bf16 loss    |diff|");
    double maxDiff = 0;
    for (int step = 0; step < steps; step++) {
      double diff = Math.abs(losses[0][step] - losses[1][step]);
      maxDiff = Math.max(maxDiff, diff);
      System.out.printf(
          "  %4d  %11.5f  %11.5f  %8.5f%n", step + 1, losses[0][step], losses[1][step], diff);
    }
    System.out.printf(
        "max |diff| %.5f; fp32 %.0f ms/step, bf16 %.0f ms/step (first step included)%n",
        maxDiff, 1000 * seconds[0] / steps, 1000 * seconds[1] / steps);
  }

  private static Batch shiftedBatch(Random random, int batchSize, int length) {
    long[][] inputs = new long[batchSize][length];
    long[][] targets = new long[batchSize][length];
    for (int b = 0; b < batchSize; b++) {
      long[] sequence = new long[length + 1];
      for (int t = 0; t <= length; t++) {
        sequence[t] = random.nextInt(1000);
      }
      System.arraycopy(sequence, 0, inputs[b], 0, length);
      System.arraycopy(sequence, 1, targets[b], 0, length);
    }
    return new Batch(inputs, targets);
  }
}
