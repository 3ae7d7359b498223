package io.llmft.training.families;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.models.Golden;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.serving.generate.Generation;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.llmft.training.AdamW;
import io.llmft.training.BookTrainer;
import io.llmft.training.data.Batch;
import io.llmft.training.data.InstructionCollator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The model, loss, generation and AdamW against numbers PyTorch computed from the same weights. */
class Gpt2ModelGoldenTest {
  private static final JsonNode GOLDEN = Golden.json();
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static Batch goldenBatch() {
    List<int[]> items = new ArrayList<>();
    GOLDEN.get("batch").get("items").forEach(item -> items.add(Golden.ints(item)));
    return new InstructionCollator(1024).collate(items);
  }

  @Test
  void lastPositionLogitsMatchPyTorch() {
    try (Gpt2Model model = Golden.loadModel(manager)) {
      int[] prompt = Golden.ints(GOLDEN.get("prompt_ids"));
      long[] ids = new long[prompt.length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = prompt[i];
      }
      NDArray logits =
          model.forward(manager.create(ids).expandDims(0)).get(new NDIndex("0, -1, :"));
      float[] values = logits.toFloatArray();
      JsonNode expected = GOLDEN.get("last_logits");
      double maxDiff = 0;
      for (int i = 0; i < 8; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(values[i] - expected.get("first8").get(i).asDouble()));
      }
      assertEquals(0, maxDiff, 1e-4, "largest difference in the first 8 logits");
      assertEquals(expected.get("argmax").asInt(), (int) logits.argMax().getLong());
      assertEquals(expected.get("max").asDouble(), logits.max().getFloat(), 1e-4);
      assertEquals(expected.get("mean").asDouble(), logits.mean().getFloat(), 1e-5);
    }
  }

  @Test
  void greedyGenerationMatchesPyTorch() {
    try (Gpt2Model model = Golden.loadModel(manager)) {
      int[] prompt = Golden.ints(GOLDEN.get("prompt_ids"));
      Generation g =
          new Generator(model)
              .generate(
                  prompt, 20, model.config().contextLength(), Sampler.greedy(), StopTokens.NONE);
      assertArrayEquals(Golden.ints(GOLDEN.get("greedy_20")), g.generatedTokens());
      assertEquals(Generation.FinishReason.LENGTH, g.finishReason());
    }
  }

  @Test
  void paddedBatchLossMatchesPyTorch() {
    try (Gpt2Model model = Golden.loadModel(manager)) {
      double loss = new BookTrainer(model).batchLoss(goldenBatch());
      assertEquals(GOLDEN.get("batch").get("loss").asDouble(), loss, 1e-4);
    }
  }

  @Test
  void fiveAdamWStepsMatchPyTorchAtBothLearningRates() {
    JsonNode adam = GOLDEN.get("adamw_5_steps_same_batch");
    adam.get("losses_by_lr")
        .fields()
        .forEachRemaining(
            entry -> {
              double lr = Double.parseDouble(entry.getKey());
              try (Gpt2Model model = Golden.loadModel(manager)) {
                model.parameters().values().forEach(p -> p.setRequiresGradient(true));
                BookTrainer trainer = new BookTrainer(model);
                Batch batch = goldenBatch();
                try (AdamW optimizer =
                    new AdamW(
                        model.parameters(), lr, adam.get("weight_decay").asDouble(), manager)) {
                  for (int step = 0; step < 5; step++) {
                    double loss = trainer.trainStep(batch, optimizer);
                    assertEquals(
                        entry.getValue().get(step).asDouble(),
                        loss,
                        1e-4,
                        "lr " + lr + " step " + step);
                  }
                }
              }
            });
  }
}
