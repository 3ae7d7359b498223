package io.llmft.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llmft.models.LanguageModel;
import io.llmft.models.LoraSpec;
import io.llmft.models.ModelFamily;
import io.llmft.models.Precision;
import io.llmft.models.checkpoint.FamilyFormats;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.Gpt2Weights;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.models.llama.LlamaConfig;
import io.llmft.training.data.BatchLoader;
import io.llmft.training.data.InstructionCollator;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped after a checkpoint and resumed gives the losses of an uninterrupted one. */
class TrainingCheckpointTest {
  private static final GptConfig TINY = new GptConfig(50257, 32, 8, 1, 2);
  private static final LlamaConfig LLAMA_TINY =
      new LlamaConfig(
          ModelFamily.LLAMA,
          512,
          32,
          16,
          32,
          1,
          4,
          2,
          4,
          1e-5,
          1e4,
          null,
          true,
          false,
          null,
          new int[] {511});

  /** Whether the runs train a Llama (tied head, grouped-query attention) instead of a GPT-2. */
  private boolean llama;

  // 13 items at batch 2 with drop_last: 6 steps per epoch, 12 in all; evaluation every 4 steps
  private static final TrainingSettings SETTINGS =
      BookTrainerTest.constantRate(2, 2, 1e-3, 0.1, 4, 2, true, null);

  @TempDir Path dir;

  /** What one run saw: the loss of every step it ran, its evaluations and its final weights. */
  private record Run(
      Map<Integer, Double> stepLosses,
      List<EvaluationPoint> evaluations,
      TrainingLoop.Result result,
      float[] finalWeights) {}

  private static List<int[]> items() {
    List<int[]> items = new ArrayList<>();
    for (int i = 0; i < 13; i++) {
      int[] item = new int[3 + i % 5];
      for (int j = 0; j < item.length; j++) {
        item[j] = 200 + 7 * i + j;
      }
      items.add(item);
    }
    return items;
  }

  /** The test's listener, after a checkpointer when {@code every} is set. */
  private TrainingListener listeners(Integer every, TrainingListener listener) {
    return every == null
        ? listener
        : TrainingListener.all(
            List.of(new Checkpointer(dir, every, () -> false, s -> {}), listener));
  }

  private LanguageModel model(boolean lora, NDManager m) {
    LoraSpec spec = lora ? new LoraSpec(2, 4f, 7) : null;
    if (llama) {
      return FamilyFormats.of(ModelFamily.LLAMA)
          .randomInit(LLAMA_TINY, 1, m)
          .build(Precision.FP32, spec);
    }
    return Gpt2Model.builder(Gpt2Weights.randomInit(TINY, 1, m)).lora(spec).build();
  }

  private InstructionCollator collator() {
    return new InstructionCollator(32, llama ? 511 : InstructionCollator.GPT2_PAD_TOKEN);
  }

  /** A run from a fresh model; it stops itself before step {@code stopBefore} (null: never). */
  private Run run(boolean lora, Integer checkpointEvery, Integer stopBefore) {
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel model = model(lora, m)) {
      Map<Integer, Double> losses = new TreeMap<>();
      List<EvaluationPoint> evaluations = new ArrayList<>();
      BatchLoader train = new BatchLoader(items(), 2, true, true, collator(), 123);
      BatchLoader validation =
          new BatchLoader(items().subList(0, 4), 2, false, false, collator(), 1);
      TrainingLoop.Result result =
          new BookTrainer(model)
              .train(
                  train,
                  validation,
                  SETTINGS,
                  listeners(
                      checkpointEvery,
                      new TrainingListener() {
                        @Override
                        public void stepDone(LoopPosition position, int totalSteps, double loss) {
                          losses.put(position.step(), loss);
                        }

                        @Override
                        public void evaluated(EvaluationPoint point) {
                          evaluations.add(point);
                        }

                        @Override
                        public boolean cancelled() {
                          return stopBefore != null && losses.size() + 1 >= stopBefore;
                        }
                      }));
      String watched =
          llama
              ? (lora
                  ? "model.layers.0.mlp.down_proj.lora_B"
                  : "model.layers.0.mlp.gate_proj.weight")
              : (lora ? "lm_head.lora_B" : "h.0.mlp.c_fc.weight");
      float[] weights = model.trainableParameters().get(watched).toFloatArray();
      return new Run(losses, evaluations, result, weights);
    }
  }

  private void resumesWhereItStopped(boolean lora) {
    Run whole = run(lora, null, null);
    Integer every5 = 5;
    Run first = run(lora, every5, 8); // steps 1-7, a checkpoint after step 5
    assertEquals(TrainingLoop.Outcome.CANCELLED, first.result().outcome());
    assertEquals(7, first.result().steps());
    Run second = run(lora, every5, null);

    assertEquals(5, second.result().resumedFromStep());
    assertEquals(12, second.result().steps());
    assertEquals(List.of(6, 7, 8, 9, 10, 11, 12), List.copyOf(second.stepLosses().keySet()));
    for (int step = 6; step <= 12; step++) {
      assertEquals(whole.stepLosses().get(step), second.stepLosses().get(step), 1e-6, "" + step);
    }
    assertEquals(whole.result().position().tokensSeen(), second.result().position().tokensSeen());
    assertEquals(
        whole.result().history().initialTrainLoss(),
        second.result().history().initialTrainLoss(),
        0);
    assertEquals(whole.evaluations().size(), second.result().evaluations().size());
    for (int i = 0; i < whole.evaluations().size(); i++) {
      EvaluationPoint expected = whole.evaluations().get(i);
      EvaluationPoint actual = second.result().evaluations().get(i);
      assertEquals(expected.step(), actual.step());
      assertEquals(expected.trainLoss(), actual.trainLoss(), 1e-6);
      assertEquals(expected.valLoss(), actual.valLoss(), 1e-6);
    }
    assertArrayEquals(whole.finalWeights(), second.finalWeights(), 1e-6f);
  }

  @Test
  void aFullFinetuneResumesWithTheSameLossesAsAnUninterruptedRun() {
    resumesWhereItStopped(false);
  }

  @Test
  void aLoraRunResumesLikeAFullOne() {
    resumesWhereItStopped(true);
    try (Stream<Path> files = Files.list(dir)) {
      Path latest =
          files
              .filter(Files::isDirectory)
              .findFirst()
              .orElseThrow()
              .resolve("optimizer.safetensors");
      assertTrue(Files.size(latest) > 0);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aLlamaRunResumesLikeAGpt2One() throws Exception {
    llama = true;
    resumesWhereItStopped(false);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        io.llmft.models.FileTrees.deleteRecursively(p);
      }
    }
    resumesWhereItStopped(true);
  }

  @Test
  void onlyTheNewestCheckpointIsKept() throws Exception {
    run(false, 2, null); // checkpoints after 2, 4, ..., 10
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of("latest", "step-00000010"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals("step-00000010", Files.readString(dir.resolve("latest")));
  }

  @Test
  void aCheckpointOfAnotherModelIsRejectedNotSilentlyIgnored() {
    run(false, 5, 7);
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> run(true, 5, null));
    assertTrue(e.getCause().getMessage().contains("does not match the model"), e.getMessage());
    assertFalse(e.getCause().getMessage().isBlank());
  }

  /** Float noise between CPUs: a few ulps of a loss near 10. */
  private static final double PREVIOUS_FORMAT_ULPS = 1e-5;

  /** The checkpoint an earlier release wrote: format 1, a LoRA run stopped after step 5. */
  private void copyPreviousFormatInto(Path target) throws Exception {
    Path fixture =
        Path.of(getClass().getResource("/training-checkpoint-format-1/latest").toURI()).getParent();
    try (Stream<Path> walk = Files.walk(fixture)) {
      for (Path p : walk.toList()) {
        Path to = target.resolve(fixture.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else if (!p.getFileName().toString().equals("README.md")) {
          Files.copy(p, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  @Test
  void aCheckpointOfThePreviousFormatResumesLikeOneOfThisRelease() throws Exception {
    Run whole = run(true, null, null);
    copyPreviousFormatInto(dir);
    Run resumed = run(true, 5, null);
    assertEquals(5, resumed.result().resumedFromStep());
    // The fixture's five steps ran on another CPU, whose kernels (AVX-512 or AMX) sum in another
    // order: the resumed run starts a few float ulps away from this machine's own, no more.
    for (int step = 6; step <= 12; step++) {
      assertEquals(
          whole.stepLosses().get(step),
          resumed.stepLosses().get(step),
          PREVIOUS_FORMAT_ULPS,
          "" + step);
    }
    assertArrayEquals(whole.finalWeights(), resumed.finalWeights(), (float) PREVIOUS_FORMAT_ULPS);
  }

  @Test
  void aCheckpointOfALaterFormatIsRefusedByItsVersion() throws Exception {
    copyPreviousFormatInto(dir);
    Path progress = dir.resolve("step-00000005/progress.json");
    Files.writeString(progress, Files.readString(progress).replaceFirst("\\{", "{\"format\": 99,"));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> run(true, 5, null));
    String message = e.getCause().getMessage();
    assertTrue(message.contains("format version 99"), message);
    assertTrue(message.contains("reads versions 1 to " + TrainingCheckpoint.FORMAT), message);
  }
}
