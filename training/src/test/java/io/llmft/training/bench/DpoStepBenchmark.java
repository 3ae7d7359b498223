package io.llmft.training.bench;

import ai.djl.ndarray.NDManager;
import io.llmft.models.LanguageModel;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.training.AdamW;
import io.llmft.training.BookTrainer;
import io.llmft.training.BookTrainerTest;
import io.llmft.training.DpoTrainer;
import io.llmft.training.TrainingListener;
import io.llmft.training.data.Batch;
import io.llmft.training.data.PreferenceCollator;
import io.llmft.training.data.PreferenceExample;
import io.llmft.training.data.PreferenceLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A DPO step against the SFT step on the same sequences, as {@code scripts/benchmark.sh dpo} runs
 * it: B preference pairs of T tokens (chosen and rejected, the prompt the first half) against the
 * SFT step on the B chosen sequences. A DPO step is one policy forward and backward over 2B rows
 * (chosen and rejected as one batch) and one reference forward over 2B rows. Not a test: numbers go
 * to the README.
 *
 * <p>Arguments: preset (gpt2-small), batch size (8), sequence length (64), timed steps (3).
 */
public final class DpoStepBenchmark {
  private DpoStepBenchmark() {}

  public static void main(String[] args) {
    String preset = args.length > 0 ? args[0] : "gpt2-small (124M)";
    int b = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int t = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    DjlRuntime.init();
    GptConfig config = TrainStepBenchmark.config(preset);
    Random random = new Random(1);
    List<PreferenceExample> pairs = new ArrayList<>();
    long[][] inputs = new long[b][];
    long[][] targets = new long[b][];
    for (int i = 0; i < b; i++) {
      int[] chosen = random.ints(t - 1, 0, 50000).toArray();
      int[] rejected = random.ints(t - 1, 0, 50000).toArray();
      pairs.add(new PreferenceExample(Arrays.copyOf(chosen, t / 2), chosen, rejected));
      inputs[i] = Arrays.stream(chosen).asLongStream().limit(t - 1).toArray();
      targets[i] = Arrays.stream(chosen).asLongStream().skip(1).toArray();
      targets[i] = Arrays.copyOf(targets[i], t - 1);
    }
    Batch sft = new Batch(inputs, targets);
    PreferenceLoader loader =
        new PreferenceLoader(pairs, b, false, true, new PreferenceCollator(t, 50256), 1);
    try (NDManager m = NDManager.newBaseManager(DjlRuntime.device());
        LanguageModel policy = Gpt2Model.randomInit(config, 123, m);
        LanguageModel reference = Gpt2Model.randomInit(config, 123, m)) {
      policy.parameters().values().forEach(p -> p.setRequiresGradient(true));
      BookTrainer book = new BookTrainer(policy);
      double[] sftMs = new double[steps];
      try (AdamW optimizer = new AdamW(policy.parameters(), 5e-6, 0.01, m)) {
        book.trainStep(sft, optimizer); // warm-up
        for (int i = 0; i < steps; i++) {
          long start = System.nanoTime();
          book.trainStep(sft, optimizer);
          sftMs[i] = (System.nanoTime() - start) / 1e6;
        }
      }
      double[] dpoMs = new double[steps];
      int[] step = {-2}; // the interval after the first step holds the evaluation at global step 0
      long[] last = {System.nanoTime()};
      DpoTrainer dpo = new DpoTrainer(policy, reference, 0.1);
      dpo.train(
          loader,
          loader,
          BookTrainerTest.constantRate(steps + 2, b, 5e-6, 0.01, 1_000_000, 1, false, null),
          new TrainingListener() {
            @Override
            public void stepDone(
                io.llmft.training.LoopPosition position, int totalSteps, double loss) {
              long now = System.nanoTime();
              if (step[0] >= 0) {
                dpoMs[step[0]] = (now - last[0]) / 1e6;
              }
              step[0]++;
              last[0] = System.nanoTime();
            }
          });
      Arrays.sort(sftMs);
      Arrays.sort(dpoMs);
      System.out.printf(
          "%s, %d pairs x %d tokens: SFT step (the chosen sequences) median %.0f ms (%s);"
              + " DPO step median %.0f ms (%s): %.2fx%n",
          preset,
          b,
          t,
          sftMs[steps / 2],
          Arrays.toString(Arrays.stream(sftMs).mapToLong(Math::round).toArray()),
          dpoMs[steps / 2],
          Arrays.toString(Arrays.stream(dpoMs).mapToLong(Math::round).toArray()),
          dpoMs[steps / 2] / sftMs[steps / 2]);
    }
  }
}
