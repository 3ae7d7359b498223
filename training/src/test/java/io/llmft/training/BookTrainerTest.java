package io.llmft.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llmft.models.Fixtures;
import io.llmft.models.LanguageModel;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.training.data.Batch;
import io.llmft.training.data.BatchLoader;
import io.llmft.training.data.InstructionCollator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

public class BookTrainerTest {
  private static final GptConfig TINY = new GptConfig(50257, 32, 8, 1, 2);

  private static List<int[]> items(int n) {
    List<int[]> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] item = new int[3 + i % 4];
      for (int j = 0; j < item.length; j++) {
        item[j] = 100 + i + j;
      }
      items.add(item);
    }
    return items;
  }

  private static BatchLoader loader(int n, boolean shuffle, boolean dropLast) {
    return new BatchLoader(items(n), 2, shuffle, dropLast, new InstructionCollator(32), 123);
  }

  @Test
  void evaluatesAtTheBooksPointsAndCountsTokensLikeIt() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Gpt2Model.randomInit(TINY, 1, m)) {
      List<Long> stepTokens = new ArrayList<>();
      var result =
          new BookTrainer(model)
              .train(
                  loader(11, true, true),
                  loader(4, false, false),
                  constantRate(2, 2, 1e-3, 0.1, 3, 2, true, null),
                  new TrainingListener() {
                    long previous;

                    @Override
                    public void stepDone(LoopPosition position, int totalSteps, double loss) {
                      stepTokens.add(position.tokensSeen() - previous);
                      previous = position.tokensSeen();
                      assertEquals(10, totalSteps);
                    }
                  });
      // 11 items, batch 2, drop_last: 5 steps per epoch; global_step 0..9, eval when global_step %
      // 3 == 0
      assertEquals(10, result.steps());
      assertEquals(
          List.of(0, 3, 6, 9), result.evaluations().stream().map(EvaluationPoint::step).toList());
      assertEquals(
          List.of(1, 1, 2, 2), result.evaluations().stream().map(EvaluationPoint::epoch).toList());
      long tokensAtStep3 = stepTokens.subList(0, 4).stream().mapToLong(Long::longValue).sum();
      assertEquals(tokensAtStep3, result.evaluations().get(1).tokensSeen());
      stepTokens.forEach(t -> assertTrue(t % 2 == 0, "B x T with B = 2"));
      assertTrue(
          result.evaluations().get(3).trainLoss() < result.history().initialTrainLoss(),
          "it learns");
    }
  }

  @Test
  void maxStepsAndCancellationStopEarly() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Gpt2Model.randomInit(TINY, 1, m)) {
      var limited =
          new BookTrainer(model)
              .train(
                  loader(10, false, true),
                  loader(2, false, false),
                  constantRate(3, 2, 1e-3, 0.1, 5, 1, false, 4),
                  new TrainingListener() {});
      assertEquals(4, limited.steps());
      assertEquals(TrainingLoop.Outcome.FINISHED, limited.outcome());
      var cancelled =
          new BookTrainer(model)
              .train(
                  loader(10, false, true),
                  loader(2, false, false),
                  constantRate(3, 2, 1e-3, 0.1, 5, 1, false, null),
                  new TrainingListener() {
                    int calls;

                    @Override
                    public boolean cancelled() {
                      return ++calls > 2;
                    }
                  });
      assertEquals(2, cancelled.steps());
      assertEquals(TrainingLoop.Outcome.CANCELLED, cancelled.outcome());
    }
  }

  @Test
  void stepsAtTheRatesOfItsSchedule() {
    // warmup 2 then cosine over 5 steps: the loop's losses equal steps taken by hand at those rates
    TrainingSettings settings =
        new TrainingSettings(
            1, 2, 3e-3, 0.1, 100, 1, 123, false, null, 2, LearningRateSchedule.Decay.COSINE);
    List<Double> looped = new ArrayList<>();
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Gpt2Model.randomInit(TINY, 1, m)) {
      new BookTrainer(model)
          .train(
              loader(10, false, true),
              loader(2, false, false),
              settings,
              new TrainingListener() {
                @Override
                public void stepDone(LoopPosition position, int totalSteps, double loss) {
                  looped.add(loss);
                }
              });
    }
    List<Double> byHand = new ArrayList<>();
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Gpt2Model.randomInit(TINY, 1, m)) {
      model.parameters().values().forEach(p -> p.setRequiresGradient(true));
      BookTrainer trainer = new BookTrainer(model);
      List<Batch> batches = loader(10, false, true).epoch();
      try (AdamW optimizer = new AdamW(model.parameters(), 1.0, 0.1, m)) {
        for (int s = 0; s < batches.size(); s++) {
          byHand.add(trainer.trainStep(batches.get(s), optimizer, settings.schedule().at(s, 5)));
        }
      }
    }
    assertEquals(5, looped.size());
    for (int s = 0; s < 5; s++) {
      assertEquals(byHand.get(s), looped.get(s), 1e-6, "step " + s);
    }
    assertTrue(looped.get(4) < looped.get(0), "it learns");
  }

  @Test
  void trainsOnAThreadOtherThanTheOneThatStartedTheEngine() throws Exception {
    // PyTorch's grad mode is on by default in new threads; the optimizer's in-place updates would
    // fail.
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<TrainingLoop.Result> result = new AtomicReference<>();
    Thread worker =
        new Thread(
            () -> {
              try (NDManager m = NDManager.newBaseManager();
                  Gpt2Model model = Gpt2Model.randomInit(TINY, 1, m)) {
                result.set(
                    new BookTrainer(model)
                        .train(
                            loader(6, true, true),
                            loader(2, false, false),
                            constantRate(1, 2, 1e-3, 0.1, 1, 1, true, null),
                            new TrainingListener() {}));
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    worker.start();
    worker.join();
    assertEquals(null, failure.get());
    assertEquals(3, result.get().steps());
  }

  /** Losses of {@code steps} optimizer steps on a fixed batch, from a fixed initialisation. */
  private static double[] losses(int steps) {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Gpt2Model.randomInit(TINY, 1, m)) {
      model.parameters().values().forEach(p -> p.setRequiresGradient(true));
      var batch = new InstructionCollator(32).collate(items(4));
      BookTrainer trainer = new BookTrainer(model);
      double[] losses = new double[steps];
      try (AdamW optimizer = new AdamW(model.parameters(), 1e-3, 0.1, m)) {
        for (int i = 0; i < steps; i++) {
          losses[i] = trainer.trainStep(batch, optimizer);
        }
      }
      return losses;
    }
  }

  @Test
  void gradientsSurviveGarbageCollectionDuringTheStep() throws Exception {
    double[] calm = losses(15);
    // Collections while the autograd graph is alive once freed the buffers of DJL's scalar
    // operands (x.mul(0.5f)), and the next losses were NaN.
    Thread collector =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                byte[][] garbage = new byte[32][];
                for (int i = 0; i < garbage.length; i++) {
                  garbage[i] = new byte[1 << 20];
                }
                System.gc();
              }
            });
    collector.setDaemon(true);
    collector.start();
    try {
      assertArrayEquals(calm, losses(15), 1e-6);
    } finally {
      collector.interrupt();
      collector.join();
    }
  }

  /** Step losses and final weights of a run over {@code replicas} (the first one is returned). */
  private static double[] runLosses(List<? extends LanguageModel> replicas) {
    return runLosses(replicas, InstructionCollator.GPT2_PAD_TOKEN);
  }

  private static double[] runLosses(List<? extends LanguageModel> replicas, int pad) {
    List<Double> losses = new ArrayList<>();
    new BookTrainer(replicas)
        .train(
            new BatchLoader(items(11), 3, true, true, new InstructionCollator(32, pad), 123),
            new BatchLoader(items(4), 2, false, false, new InstructionCollator(32, pad), 1),
            constantRate(2, 3, 1e-3, 0.1, 4, 2, true, null),
            new TrainingListener() {
              @Override
              public void stepDone(LoopPosition position, int totalSteps, double loss) {
                losses.add(loss);
              }
            });
    return losses.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  void dataParallelReplicasTrainLikeOneModel() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model single = Gpt2Model.randomInit(TINY, 1, m);
        Gpt2Model first = Gpt2Model.randomInit(TINY, 1, m);
        Gpt2Model second = Gpt2Model.randomInit(TINY, 99, m); // gets the first's weights
        Gpt2Model third = Gpt2Model.randomInit(TINY, 98, m)) {
      double[] expected = runLosses(List.of(single));
      // batch 3 over three replicas: one row each; rows differ in length, so the shares differ
      double[] parallel = runLosses(List.of(first, second, third));
      assertEquals(6, expected.length);
      assertArrayEquals(expected, parallel, 1e-5);
      float[] weights = single.parameters().get("h.0.attn.c_attn.weight").toFloatArray();
      assertArrayEquals(
          weights, first.parameters().get("h.0.attn.c_attn.weight").toFloatArray(), 1e-5f);
      assertArrayEquals(
          first.parameters().get("h.0.attn.c_attn.weight").toFloatArray(),
          third.parameters().get("h.0.attn.c_attn.weight").toFloatArray(),
          0f,
          "replicas hold the first one's weights after each step");
    }
  }

  @Test
  void dataParallelLlamaReplicasWithATiedHeadTrainLikeOneModel() throws Exception {
    Path dir = Fixtures.model("llama-tiny");
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel single = HfCheckpoint.load(dir, m);
        LanguageModel first = HfCheckpoint.load(dir, m);
        LanguageModel second = HfCheckpoint.load(dir, m)) {
      second.parameters().get("model.norm.weight").muli(3); // gets the first's weights
      double[] expected = runLosses(List.of(single), 381);
      double[] parallel = runLosses(List.of(first, second), 381);
      assertArrayEquals(expected, parallel, 1e-5);
      String tied = "model.embed_tokens.weight"; // also the head
      assertArrayEquals(
          single.parameters().get(tied).toFloatArray(),
          first.parameters().get(tied).toFloatArray(),
          1e-5f);
      assertArrayEquals(
          first.parameters().get(tied).toFloatArray(),
          second.parameters().get(tied).toFloatArray(),
          0f);
    }
  }

  @Test
  void emptyValidationLoaderGivesNaNAsTheBook() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Gpt2Model.randomInit(TINY, 1, m)) {
      assertTrue(Double.isNaN(new BookTrainer(model).calcLossLoader(loader(0, false, false), 5)));
    }
  }

  @Test
  void aDivergingRunFailsInsteadOfTrainingOnNaN() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Gpt2Model.randomInit(TINY, 1, m)) {
      assertThrows(
          ArithmeticException.class,
          () ->
              new BookTrainer(model)
                  .train(
                      loader(10, false, true),
                      loader(2, false, false),
                      constantRate(5, 2, 1e30, 0.0, 5, 1, false, null),
                      new TrainingListener() {}));
    }
  }

  /** The book's loop at a constant rate (no warmup, no decay), seed 123. */
  public static TrainingSettings constantRate(
      int epochs,
      int batch,
      double lr,
      double weightDecay,
      int evalFreq,
      int evalIter,
      boolean shuffle,
      Integer maxSteps) {
    return new TrainingSettings(
        epochs,
        batch,
        lr,
        weightDecay,
        evalFreq,
        evalIter,
        123,
        shuffle,
        maxSteps,
        0,
        LearningRateSchedule.Decay.NONE);
  }
}
