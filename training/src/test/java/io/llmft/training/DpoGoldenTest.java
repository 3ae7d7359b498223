package io.llmft.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.contract.InstructionEntry;
import io.llmft.models.Golden;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.text.Gpt2Tokenizer;
import io.llmft.text.PromptStyle;
import io.llmft.training.data.PreferenceBatch;
import io.llmft.training.data.PreferenceCollator;
import io.llmft.training.data.PreferenceExample;
import io.llmft.training.data.PreferenceLoader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DPO against the book's notebook code run by PyTorch ({@code tools/golden/dpo.py}) on the tiny
 * GPT-2: the collate of the notebook's first two entries, the losses and rewards before training
 * and at every evaluation, every step's loss, tokens seen and the final weights.
 */
class DpoGoldenTest {
  private static final JsonNode GOLDEN = load();

  private static JsonNode load() {
    try {
      return new ObjectMapper()
          .readTree(DpoGoldenTest.class.getResource("/dpo-golden/golden.json"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<PreferenceExample> examples(JsonNode entries) {
    List<PreferenceExample> out = new ArrayList<>();
    for (JsonNode e : entries) {
      out.add(
          PreferenceExample.of(
              Gpt2Tokenizer.get(),
              PromptStyle.ALPACA,
              new InstructionEntry(e.get("instruction").asText(), e.get("input").asText(), null),
              e.get("chosen").asText(),
              e.get("rejected").asText()));
    }
    return out;
  }

  private static void assertRows(JsonNode expected, long[][] ids) {
    assertEquals(expected.size(), ids.length);
    for (int i = 0; i < ids.length; i++) {
      assertEquals(expected.get(i).size(), ids[i].length, "row " + i);
      for (int j = 0; j < ids[i].length; j++) {
        assertEquals(expected.get(i).get(j).asLong(), ids[i][j], "[" + i + "][" + j + "]");
      }
    }
  }

  private static void assertMask(JsonNode expected, boolean[][] mask) {
    for (int i = 0; i < mask.length; i++) {
      for (int j = 0; j < mask[i].length; j++) {
        assertEquals(expected.get(i).get(j).asInt() == 1, mask[i][j], "[" + i + "][" + j + "]");
      }
    }
  }

  @Test
  void collatesTheNotebooksFirstTwoEntriesAsItDoes() {
    PreferenceBatch b =
        new PreferenceCollator(1024, 50256).collate(examples(GOLDEN.get("collateFirstTwoEntries")));
    JsonNode c = GOLDEN.get("collateFirstTwo");
    assertRows(c.get("chosen"), b.chosen());
    assertRows(c.get("rejected"), b.rejected());
    assertMask(c.get("chosen_mask"), b.chosenMask());
    assertMask(c.get("rejected_mask"), b.rejectedMask());
  }

  /**
   * The attention's key bias has a zero gradient in exact arithmetic: AdamW turns its float noise
   * into updates, so its third of {@code c_attn.bias} is not compared (as the script leaves it
   * out).
   */
  private static float[] withoutKeyBias(String name, float[] v) {
    if (!name.endsWith("attn.c_attn.bias")) {
      return v;
    }
    int c = v.length / 3;
    float[] out = new float[2 * c];
    System.arraycopy(v, 0, out, 0, c);
    System.arraycopy(v, 2 * c, out, c, c);
    return out;
  }

  /** On one model, and data parallel over two replicas (each with its own reference). */
  @ParameterizedTest(name = "{0} replica(s)")
  @ValueSource(ints = {1, 2})
  void aRunGivesTheNotebooksLossesRewardsTokensAndWeights(int replicas) {
    JsonNode settings = GOLDEN.get("settings");
    int context = settings.get("allowedMaxLength").asInt();
    PreferenceCollator collator = new PreferenceCollator(context, 50256);
    int batch = settings.get("batchSize").asInt();
    PreferenceLoader train =
        new PreferenceLoader(examples(GOLDEN.get("train")), batch, false, true, collator, 123);
    PreferenceLoader validation =
        new PreferenceLoader(examples(GOLDEN.get("validation")), batch, false, false, collator, 1);
    try (NDManager m = NDManager.newBaseManager()) {
      List<Gpt2Model> policies = new ArrayList<>();
      List<Gpt2Model> references = new ArrayList<>();
      for (int r = 0; r < replicas; r++) {
        policies.add(Golden.loadModel(m));
        references.add(Golden.loadModel(m));
      }
      Gpt2Model policy = policies.get(0);
      DpoTrainer trainer = new DpoTrainer(policies, references, settings.get("beta").asDouble());
      List<Double> stepLosses = new ArrayList<>();
      TrainingLoop.Result result =
          trainer.train(
              train,
              validation,
              BookTrainerTest.constantRate(
                  settings.get("epochs").asInt(),
                  batch,
                  settings.get("lr").asDouble(),
                  settings.get("weightDecay").asDouble(),
                  settings.get("evalFreq").asInt(),
                  settings.get("evalIter").asInt(),
                  false,
                  null),
              new TrainingListener() {
                @Override
                public void stepDone(LoopPosition position, int totalSteps, double loss) {
                  stepLosses.add(loss);
                }
              });
      JsonNode initial = GOLDEN.get("initial");
      assertEquals(Math.log(2), result.history().initialTrainLoss(), 1e-6, "policy = reference");
      assertEquals(initial.get("trainLoss").asDouble(), result.history().initialTrainLoss(), 2e-7);
      assertEquals(initial.get("valLoss").asDouble(), result.history().initialValLoss(), 2e-7);
      JsonNode steps = GOLDEN.get("stepLosses");
      assertEquals(steps.size(), stepLosses.size());
      for (int i = 0; i < steps.size(); i++) {
        assertEquals(steps.get(i).asDouble(), stepLosses.get(i), 2e-7, "step " + i);
      }
      JsonNode evaluations = GOLDEN.get("evaluations");
      assertEquals(evaluations.size(), result.evaluations().size());
      for (int i = 0; i < evaluations.size(); i++) {
        JsonNode e = evaluations.get(i);
        EvaluationPoint a = result.evaluations().get(i);
        assertEquals(e.get("step").asInt(), a.step());
        assertEquals(e.get("epoch").asInt(), a.epoch());
        assertEquals(e.get("tokensSeen").asLong(), a.tokensSeen());
        assertEquals(e.get("trainLoss").asDouble(), a.trainLoss(), 2e-7, "train loss " + i);
        assertEquals(e.get("valLoss").asDouble(), a.valLoss(), 2e-7, "val loss " + i);
        assertEquals(e.get("trainChosenReward").asDouble(), a.trainChosenReward(), 1e-6);
        assertEquals(e.get("trainRejectedReward").asDouble(), a.trainRejectedReward(), 1e-6);
        assertEquals(e.get("valChosenReward").asDouble(), a.valChosenReward(), 1e-6);
        assertEquals(e.get("valRejectedReward").asDouble(), a.valRejectedReward(), 1e-6);
      }
      assertEquals(GOLDEN.get("tokensSeen").asLong(), result.position().tokensSeen());
      Map<String, NDArray> weights = policy.parameters();
      GOLDEN
          .get("finalWeights")
          .fields()
          .forEachRemaining(
              f -> {
                float[] v = withoutKeyBias(f.getKey(), weights.get(f.getKey()).toFloatArray());
                double sum = 0;
                double abs = 0;
                for (float x : v) {
                  sum += x;
                  abs += Math.abs(x);
                }
                double scale = Math.max(1, f.getValue().get("absSum").asDouble());
                assertEquals(f.getValue().get("absSum").asDouble(), abs, 1e-5 * scale, f.getKey());
                assertEquals(f.getValue().get("sum").asDouble(), sum, 1e-5 * scale, f.getKey());
                for (int i = 0; i < 4 && i < v.length; i++) {
                  assertEquals(
                      f.getValue().get("first4").get(i).asDouble(), v[i], 1e-5, f.getKey() + i);
                }
              });
      assertTrue(
          result.evaluations().get(result.evaluations().size() - 1).trainLoss() < Math.log(2));
    }
  }
}
