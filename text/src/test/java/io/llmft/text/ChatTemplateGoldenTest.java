package io.llmft.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Qwen3 and Llama 3 Instruct chat templates render varied conversations to the text and
 * ids of transformers' {@code apply_chat_template} (tools/golden/chat_templates.py).
 */
class ChatTemplateGoldenTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static JsonNode cases;
  private static Map<String, ChatTemplate> templates;
  private static Map<String, HfTokenizer> tokenizers;

  @BeforeAll
  static void load() throws IOException {
    cases = JSON.readTree(resource("/chat-templates/golden.json")).get("cases");
    templates =
        Map.of(
            "qwen3",
                ChatTemplate.forModel(
                        model("qwen3", "{\"model_type\": \"qwen3\", \"eos_token_id\": 151645}"))
                    .orElseThrow(),
            "llama3",
                ChatTemplate.forModel(
                        model(
                            "llama3",
                            "{\"model_type\": \"llama\", \"bos_token_id\": 128000,"
                                + " \"eos_token_id\": 128009}"))
                    .orElseThrow());
    tokenizers =
        Map.of(
            "qwen3", HfTokenizer.load(dir.resolve("qwen3")),
            "llama3", HfTokenizer.load(dir.resolve("llama3")));
  }

  private static InputStream resource(String name) {
    return ChatTemplateGoldenTest.class.getResourceAsStream(name);
  }

  /** A model directory with the fixture's tokenizer files. */
  private static Path model(String name, String config) throws IOException {
    String fixture = name.equals("qwen3") ? "/qwen3-tokenizer/" : "/llama3-tokenizer/";
    Path d = Files.createDirectories(dir.resolve(name));
    try (InputStream in = new GZIPInputStream(resource(fixture + "tokenizer.json.gz"))) {
      Files.copy(in, d.resolve("tokenizer.json"));
    }
    try (InputStream in = resource(fixture + "tokenizer_config.json")) {
      Files.copy(in, d.resolve("tokenizer_config.json"));
    }
    Files.writeString(d.resolve("config.json"), config);
    return d;
  }

  @SuppressWarnings("unchecked")
  private static <T> T plain(JsonNode node, Class<T> type) {
    return node == null || node.isNull() ? null : JSON.convertValue(node, type);
  }

  @Test
  void rendersAndEncodesEveryConversationAsTransformers() {
    assertTrue(cases.size() >= 18);
    for (JsonNode c : cases) {
      String name = c.get("template").asText() + "/" + c.get("conversation").asText();
      ChatTemplate template = templates.get(c.get("template").asText());
      String text =
          template.render(
              plain(c.get("messages"), List.class),
              plain(c.get("tools"), List.class),
              c.get("add_generation_prompt").asBoolean(),
              plain(c.get("chat_template_kwargs"), Map.class));
      assertEquals(c.get("text").asText(), text, name);
      int[] expected = JSON.convertValue(c.get("ids"), int[].class);
      assertArrayEquals(
          expected, tokenizers.get(c.get("template").asText()).encodeRendered(text), name);
    }
  }

  /** Which ids are learned (tools/golden/chat_training.py): assistant output, or all. */
  @Test
  @SuppressWarnings("unchecked")
  void targetsAreTheAssistantTurnsThroughTheirEndOfTurnTokenAsTheReference() throws IOException {
    JsonNode targets = JSON.readTree(resource("/chat-templates/targets.json")).get("cases");
    assertTrue(targets.size() >= 10);
    int unusable = 0;
    for (JsonNode c : targets) {
      String template = c.get("template").asText();
      String name = template + "/" + c.get("conversation").asText() + "/" + c.get("train_on");
      ChatTargets chat =
          new ChatTargets(
              templates.get(template),
              tokenizers.get(template),
              plain(c.get("chat_template_kwargs"), Map.class),
              ChatTargets.TrainOn.of(c.get("train_on").asText()));
      List<Map<String, Object>> messages = plain(c.get("messages"), List.class);
      List<?> tools = plain(c.get("tools"), List.class);
      if (c.has("unusable")) {
        unusable++;
        assertThrows(ChatTargets.Unusable.class, () -> chat.of(messages, tools), name);
        continue;
      }
      ChatTargets.Item item = chat.of(messages, tools);
      assertArrayEquals(JSON.convertValue(c.get("ids"), int[].class), item.ids(), name);
      assertArrayEquals(JSON.convertValue(c.get("targets"), boolean[].class), item.targets(), name);
      assertTrue(item.targetCount() > 0, name);
    }
    assertEquals(1, unusable, "Qwen3 with thinking off renders earlier turns unlike its prompt");
  }
}
