package io.llmft.training.families;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.models.Fixtures;
import io.llmft.models.LanguageModel;
import io.llmft.models.Safetensors;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.text.ChatTargets;
import io.llmft.text.ChatTemplate;
import io.llmft.text.Tokenizer;
import io.llmft.training.AdamW;
import io.llmft.training.BookTrainer;
import io.llmft.training.data.Batch;
import io.llmft.training.data.ChatCollator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finetuning on multi-turn conversations: the tiny Qwen3 and Llama with their families' real chat
 * templates learn the assistant turns of a batch as PyTorch does (tools/golden/chat_training.py,
 * transformers' own model classes): the same ids and targets, the same losses and, after two AdamW
 * steps, the same weights.
 */
class ChatTrainingGoldenTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @SuppressWarnings("unchecked")
  @ParameterizedTest
  @CsvSource({"qwen3,qwen3-tiny", "llama,llama-tiny"})
  void twoStepsOnConversationsEndWithTheReferenceWeights(String name, String fixture)
      throws IOException {
    Path golden = Path.of("src/test/resources/chat-golden", name);
    JsonNode g = JSON.readTree(golden.resolve("golden.json").toFile());
    Path model = Files.createDirectories(dir.resolve(name));
    try (var files = Files.list(Fixtures.model(fixture))) {
      for (Path f : files.toList()) {
        Files.copy(f, model.resolve(f.getFileName()));
      }
    }
    Files.copy(golden.resolve("tokenizer_config.json"), model.resolve("tokenizer_config.json"));
    try (NDManager manager = NDManager.newBaseManager();
        LanguageModel lm = HfCheckpoint.load(model, manager)) {
      Tokenizer tokenizer = HfCheckpoint.tokenizer(model, lm.config());
      ChatTargets chat =
          new ChatTargets(
              ChatTemplate.forModel(model).orElseThrow(),
              tokenizer,
              Map.of(),
              ChatTargets.TrainOn.ASSISTANT);
      List<ChatTargets.Item> items = new ArrayList<>();
      for (int r = 0; r < g.get("rows").size(); r++) {
        ChatTargets.Item item = chat.of(JSON.convertValue(g.get("rows").get(r), List.class), null);
        JsonNode expected = g.get("items").get(r);
        assertArrayEquals(JSON.convertValue(expected.get("ids"), int[].class), item.ids(), "ids");
        assertArrayEquals(
            JSON.convertValue(expected.get("targets"), boolean[].class), item.targets(), "targets");
        items.add(item);
      }
      Batch batch = new ChatCollator(1024, tokenizer.endOfText()).collate(items);
      lm.parameters().values().forEach(p -> p.setRequiresGradient(true));
      BookTrainer trainer = new BookTrainer(lm);
      try (AdamW optimizer =
          new AdamW(
              lm.parameters(), g.get("lr").asDouble(), g.get("weight_decay").asDouble(), manager)) {
        for (int step = 0; step < g.get("losses").size(); step++) {
          double expected = g.get("losses").get(step).asDouble();
          assertEquals(
              expected, trainer.trainStep(batch, optimizer), 1e-6 * expected, "step " + step);
        }
      }
      Map<String, float[]> expected = new LinkedHashMap<>();
      Safetensors.forEach(
          golden.resolve("after-chat.safetensors"), (key, t) -> expected.put(key, t.data()));
      assertEquals(expected.keySet(), lm.parameters().keySet(), "one parameter per weight");
      for (Map.Entry<String, float[]> e : expected.entrySet()) {
        NDArray actual = lm.parameters().get(e.getKey());
        float[] values = actual.toFloatArray();
        int loose = 0;
        for (int i = 0; i < values.length; i++) {
          double d = Math.abs(values[i] - e.getValue()[i]);
          assertTrue(d < 2e-4, e.getKey() + "[" + i + "] differs by " + d);
          loose += d > 1e-6 ? 1 : 0;
        }
        assertTrue(loose <= values.length / 200, e.getKey() + ": " + loose + " beyond 1e-6");
      }
    }
  }
}
