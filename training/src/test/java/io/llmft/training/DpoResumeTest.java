package io.llmft.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.models.Golden;
import io.llmft.models.LanguageModel;
import io.llmft.models.LoraSpec;
import io.llmft.models.Precision;
import io.llmft.training.data.PreferenceCollator;
import io.llmft.training.data.PreferenceLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A DPO run stopped after a checkpoint and resumed gives the losses of an uninterrupted one. */
class DpoResumeTest {
  @TempDir Path dir;

  private record Run(Map<Integer, Double> losses, TrainingLoop.Result result, float[] weights) {}

  private Run run(boolean lora, Integer checkpointEvery, Integer stopBefore) throws Exception {
    JsonNode golden =
        new ObjectMapper().readTree(getClass().getResource("/dpo-golden/golden.json"));
    PreferenceCollator collator = new PreferenceCollator(96, 50256);
    // shuffled, as the notebook's training loader: the resumed epoch must read the same order
    PreferenceLoader train =
        new PreferenceLoader(
            DpoGoldenTest.examples(golden.get("train")), 4, true, true, collator, 123);
    PreferenceLoader validation =
        new PreferenceLoader(
            DpoGoldenTest.examples(golden.get("validation")), 4, false, false, collator, 1);
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel policy =
            Golden.loadWeights(m).build(Precision.FP32, lora ? new LoraSpec(2, 4f, 7) : null);
        LanguageModel reference = Golden.loadModel(m)) {
      Map<Integer, Double> losses = new TreeMap<>();
      TrainingListener watch =
          new TrainingListener() {
            @Override
            public void stepDone(LoopPosition position, int totalSteps, double loss) {
              losses.put(position.step(), loss);
            }

            @Override
            public boolean cancelled() {
              return stopBefore != null && losses.size() + 1 >= stopBefore;
            }
          };
      TrainingListener listener =
          checkpointEvery == null
              ? watch
              : TrainingListener.all(
                  List.of(new Checkpointer(dir, checkpointEvery, () -> false, s -> {}), watch));
      TrainingLoop.Result result =
          new DpoTrainer(policy, reference, 0.1)
              .train(
                  train,
                  validation,
                  BookTrainerTest.constantRate(2, 4, 5e-4, 0.01, 2, 2, true, null),
                  listener);
      String watched = lora ? "h.1.mlp.c_fc.lora_B" : "h.1.mlp.c_fc.weight";
      return new Run(losses, result, policy.trainableParameters().get(watched).toFloatArray());
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void resumesWithTheLossesRewardsAndWeightsOfAnUninterruptedRun(boolean lora) throws Exception {
    Run whole = run(lora, null, null);
    Run first = run(lora, 3, 6); // steps 1-5, a checkpoint after step 3
    assertEquals(TrainingLoop.Outcome.CANCELLED, first.result().outcome());
    Run second = run(lora, 3, null);
    assertEquals(3, second.result().resumedFromStep());
    assertEquals(8, second.result().steps());
    for (int step = 4; step <= 8; step++) {
      assertEquals(whole.losses().get(step), second.losses().get(step), 1e-7, "step " + step);
    }
    assertEquals(whole.result().evaluations().size(), second.result().evaluations().size());
    for (int i = 0; i < whole.result().evaluations().size(); i++) {
      EvaluationPoint a = whole.result().evaluations().get(i);
      EvaluationPoint b = second.result().evaluations().get(i);
      assertEquals(a.trainLoss(), b.trainLoss(), 1e-7);
      assertEquals(a.valChosenReward(), b.valChosenReward(), 1e-7);
    }
    assertEquals(whole.result().position().tokensSeen(), second.result().position().tokensSeen());
    assertArrayEquals(whole.weights(), second.weights(), 1e-7f);
  }
}
