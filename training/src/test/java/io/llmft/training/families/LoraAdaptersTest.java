package io.llmft.training.families;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llmft.models.Adapter;
import io.llmft.models.Golden;
import io.llmft.models.LanguageModel;
import io.llmft.models.LoraAdapters;
import io.llmft.models.LoraSpec;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.gpt2.Gpt2Keys;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.text.Gpt2Tokenizer;
import io.llmft.training.AdamW;
import io.llmft.training.BookTrainer;
import io.llmft.training.data.Batch;
import io.llmft.training.data.InstructionCollator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraAdaptersTest {
  @TempDir Path tmp;

  private static Batch goldenBatch() {
    List<int[]> items = new ArrayList<>();
    Golden.json().get("batch").get("items").forEach(item -> items.add(Golden.ints(item)));
    return new InstructionCollator(1024).collate(items);
  }

  private static float[] logits(LanguageModel model, NDManager m) {
    long[] ids = Golden.longs(Golden.json().get("prompt_ids"));
    return model.forward(m.create(ids).expandDims(0)).toFloatArray();
  }

  @Test
  void gpt2MediumAtRank16HasTheBooksTrainableParameterCount() {
    assertEquals(
        7_898_384L,
        Gpt2Keys.adapterTargets(GptConfig.preset("gpt2-medium (355M)")).parameterCount(16));
  }

  @Test
  void adaptersStartAsANoOpTrainAloneAndMergeIntoAnOrdinaryCheckpoint() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model plain = Golden.loadModel(m);
        Gpt2Model model =
            Gpt2Model.builder(Golden.loadWeights(m)).lora(new LoraSpec(4, 8f, 123)).build()) {
      float[] before = logits(plain, m);
      LoraAdapters lora = (LoraAdapters) model.adapter();
      assertEquals(
          Gpt2Keys.adapterTargets(model.config()).parameterCount(4),
          lora.parameters().values().stream().mapToLong(NDArray::size).sum());
      float[] attached = logits(model, m);
      for (int i = 0; i < before.length; i += 997) {
        assertEquals(before[i], attached[i], 1e-6, "B starts at zero");
      }
      Map<String, float[]> base = new LinkedHashMap<>();
      model.parameters().forEach((k, v) -> base.put(k, v.toFloatArray()));

      model.trainableParameters().values().forEach(p -> p.setRequiresGradient(true));
      BookTrainer trainer = new BookTrainer(model);
      Batch batch = goldenBatch();
      double first;
      double last;
      try (AdamW optimizer = new AdamW(model.trainableParameters(), 5e-3, 0.1, m)) {
        first = trainer.trainStep(batch, optimizer);
        trainer.trainStep(batch, optimizer);
        last = trainer.trainStep(batch, optimizer);
      }
      assertTrue(last < first, "the adapters learn: " + first + " -> " + last);
      model
          .parameters()
          .forEach(
              (k, v) ->
                  assertTrue(
                      java.util.Arrays.equals(base.get(k), v.toFloatArray()), k + " is frozen"));

      HfCheckpoint.save(model, Gpt2Tokenizer.get(), tmp.resolve("merged"));
      assertTrue(Files.isRegularFile(tmp.resolve("merged").resolve(HfCheckpoint.LORA_FILE)));
      float[] adapted = logits(model, m);
      try (LanguageModel merged = HfCheckpoint.load(tmp.resolve("merged"), m)) {
        assertEquals(Adapter.NONE, merged.adapter());
        float[] reloaded = logits(merged, m);
        double maxDiff = 0;
        for (int i = 0; i < adapted.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(adapted[i] - reloaded[i]));
        }
        assertTrue(maxDiff < 1e-4, "merged weights compute what the adapters did: " + maxDiff);
        assertFalse(
            merged
                .parameters()
                .get("lm_head.weight")
                .contentEquals(model.parameters().get("lm_head.weight")),
            "the head's adapter is merged");
      }
    }
  }
}
