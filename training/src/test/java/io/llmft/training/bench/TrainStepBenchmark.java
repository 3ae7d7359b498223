package io.llmft.training.bench;

import ai.djl.engine.Engine;
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
 * Times one training step (forward, backward, AdamW) of a GPT-2 config on a full batch of random
 * tokens, as {@code scripts/benchmark.sh} runs it. Not a test: numbers go to the README.
 *
 * <p>Arguments: preset name (default "gpt2-small (124M)") or a shape
 * "emb_dim,n_layers,n_heads,context", batch size (8), sequence length (64), timed steps (3),
 * precision ("fp32" or "bf16").
 */
public final class TrainStepBenchmark {
  private TrainStepBenchmark() {}

  /** A preset name, or a random-init shape "emb_dim,n_layers,n_heads,context_length". */
  static GptConfig config(String name) {
    if (name.matches("\\d+,\\d+,\\d+,\\d+")) {
      String[] p = name.split(",");
      return new GptConfig(
          GptConfig.GPT2_VOCAB_SIZE,
          Integer.parseInt(p[3]),
          Integer.parseInt(p[0]),
          Integer.parseInt(p[1]),
          Integer.parseInt(p[2]));
    }
    return GptConfig.preset(name);
  }

  public static void main(String[] args) {
    String preset = args.length > 0 ? args[0] : "gpt2-small (124M)";
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int length = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    Precision precision = Precision.fromId(args.length > 4 ? args[4] : "fp32");
    DjlRuntime.init();
    GptConfig config = config(preset);
    Random random = new Random(1);
    long[][] inputs = new long[batchSize][length];
    long[][] targets = new long[batchSize][length];
    for (int b = 0; b < batchSize; b++) {
      for (int t = 0; t < length; t++) {
        inputs[b][t] = random.nextInt(config.vocabSize());
        targets[b][t] = random.nextInt(config.vocabSize());
      }
    }
    Batch batch = new Batch(inputs, targets);
    try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device());
        Gpt2Model model =
            Gpt2Model.builder(Gpt2Weights.randomInit(config, 123, manager))
                .precision(precision)
                .build()) {
      model.parameters().values().forEach(p -> p.setRequiresGradient(true));
      BookTrainer trainer = new BookTrainer(model);
      System.out.printf(
          "%s: %,d parameters, batch %d x %d tokens, %s matrix products, device %s, %s%n",
          preset,
          model.parameterCount(),
          batchSize,
          length,
          precision.id(),
          DjlRuntime.device(),
          Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
      try (AdamW optimizer = new AdamW(model.parameters(), 5e-5, 0.1, manager)) {
        trainer.trainStep(batch, optimizer); // warm-up
        double total = 0;
        for (int i = 0; i < steps; i++) {
          long start = System.nanoTime();
          double loss = trainer.trainStep(batch, optimizer);
          double ms = (System.nanoTime() - start) / 1e6;
          total += ms;
          System.out.printf("  step %d: %.0f ms (loss %.4f)%n", i + 1, ms, loss);
        }
        double mean = total / steps;
        System.out.printf(
            "mean %.0f ms/step, %.0f tokens/s%n", mean, batchSize * length / (mean / 1000));
      }
    }
  }
}
