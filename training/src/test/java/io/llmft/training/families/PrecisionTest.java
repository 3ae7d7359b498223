package io.llmft.training.families;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.models.Golden;
import io.llmft.models.Precision;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.training.AdamW;
import io.llmft.training.BookTrainer;
import io.llmft.training.data.Batch;
import io.llmft.training.data.InstructionCollator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bf16 matrix products with fp32 master weights: close to PyTorch's fp32 numbers, not equal. */
class PrecisionTest {
  private static final JsonNode GOLDEN = Golden.json();

  private static Batch goldenBatch() {
    List<int[]> items = new ArrayList<>();
    GOLDEN.get("batch").get("items").forEach(item -> items.add(Golden.ints(item)));
    return new InstructionCollator(1024).collate(items);
  }

  private static NDArray promptIds(NDManager m) {
    int[] prompt = Golden.ints(GOLDEN.get("prompt_ids"));
    long[] ids = new long[prompt.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = prompt[i];
    }
    return m.create(ids).expandDims(0);
  }

  @Test
  void bf16LogitsAreRoundedButCloseAndTheWeightsStayFp32() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m);
        Gpt2Model bf16Model =
            Gpt2Model.builder(Golden.loadWeights(m)).precision(Precision.BF16).build()) {
      float[] fp32 = model.forward(promptIds(m)).toFloatArray();
      NDArray bf16Logits = bf16Model.forward(promptIds(m));
      assertEquals(DataType.FLOAT32, bf16Logits.getDataType());
      float[] bf16 = bf16Logits.toFloatArray();
      double maxDiff = 0;
      for (int i = 0; i < fp32.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(fp32[i] - bf16[i]));
      }
      assertTrue(maxDiff > 1e-4, "bfloat16 rounding shows: " + maxDiff);
      assertTrue(maxDiff < 0.1, "but stays small: " + maxDiff);
      bf16Model.parameters().values().forEach(p -> assertEquals(DataType.FLOAT32, p.getDataType()));
      assertArrayEquals(fp32, model.forward(promptIds(m)).toFloatArray(), 0f, "fp32 unchanged");
    }
  }

  @Test
  void bf16TrainingDriftsLittleFromPyTorchsFp32LossesAndLeaksNothing() {
    JsonNode adam = GOLDEN.get("adamw_5_steps_same_batch");
    JsonNode expected = adam.get("losses_by_lr").get("0.005");
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model =
            Gpt2Model.builder(Golden.loadWeights(m)).precision(Precision.BF16).build()) {
      model.parameters().values().forEach(p -> p.setRequiresGradient(true));
      BookTrainer trainer = new BookTrainer(model);
      double maxDrift = 0;
      int liveAfterFirstStep = 0;
      try (AdamW optimizer =
          new AdamW(model.parameters(), 0.005, adam.get("weight_decay").asDouble(), m)) {
        for (int step = 0; step < 5; step++) {
          double loss = trainer.trainStep(goldenBatch(), optimizer);
          maxDrift = Math.max(maxDrift, Math.abs(loss - expected.get(step).asDouble()));
          if (step == 0) {
            liveAfterFirstStep = model.manager().getManagedArrays().size();
          }
        }
        assertEquals(liveAfterFirstStep, model.manager().getManagedArrays().size(), "no leak");
      }
      assertTrue(maxDrift > 1e-5, "bf16 is not fp32: " + maxDrift);
      assertTrue(maxDrift < 0.05, "drift " + maxDrift);
      model.parameters().values().forEach(p -> assertEquals(DataType.FLOAT32, p.getDataType()));
      for (NDArray p : model.parameters().values()) {
        assertEquals(DataType.FLOAT32, p.getGradient().getDataType());
      }
    }
  }

  @Test
  void precisionIdsAreParsedWithAClearError() {
    assertEquals(Precision.BF16, Precision.fromId("bf16"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Precision.fromId("fp8"));
    assertTrue(e.getMessage().contains("fp32") && e.getMessage().contains("bf16"), e.getMessage());
  }
}
