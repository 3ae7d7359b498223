package io.llmft.inference.openai;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.store.ArtifactStore;
import io.llmft.inference.TestModels;
import io.llmft.models.LanguageModel;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.serving.generate.Generation;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.llmft.text.ChatTemplate;
import io.llmft.text.Tokenizer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A chat model placed in the store with its own chat template (the tiny Qwen3 with Qwen3's real
 * template) holds a conversation through {@code /v1/chat/completions} and {@code /tokenize}, as
 * vLLM serves one.
 */
@QuarkusTest
class ChatTemplateServingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MESSAGES =
      "[{\"role\": \"system\", \"content\": \"Be brief.\"},"
          + "{\"role\": \"user\", \"content\": \"Name a colour.\"},"
          + "{\"role\": \"assistant\", \"content\": \"Blue.\"},"
          + "{\"role\": \"user\", \"content\": \"Another one?\"}]";

  @Inject ArtifactStore store;

  @SuppressWarnings("unchecked")
  private static List<Object> messages() throws Exception {
    return JSON.readValue(MESSAGES, List.class);
  }

  @Test
  void aTwoTurnChatAnswersWithTheGreedyTokensOfTheRenderedConversation() throws Exception {
    String model = TestModels.storeQwen3Chat(store);
    Path dir = store.layout().model(model);
    given()
        .get("/v1/models/" + model)
        .then()
        .statusCode(200)
        .body("chat_template", equalTo(true))
        .body("family", equalTo("qwen3"));

    ChatTemplate template = ChatTemplate.forModel(dir).orElseThrow();
    String rendered = template.render(messages(), null, true, Map.of());
    assertTrue(
        rendered.endsWith("<|im_start|>user\nAnother one?<|im_end|>\n<|im_start|>assistant\n"));
    int[] prompt;
    int[] expected;
    String expectedText;
    try (NDManager manager = NDManager.newBaseManager();
        LanguageModel lm = HfCheckpoint.load(dir, manager)) {
      Tokenizer tokenizer = HfCheckpoint.tokenizer(dir, lm.config());
      prompt = tokenizer.encodeRendered(rendered);
      Generation g =
          new Generator(lm)
              .generate(
                  prompt,
                  5,
                  lm.config().contextLength(),
                  Sampler.greedy(),
                  StopTokens.of(tokenizer.stopIds()));
      expected = g.generatedTokens(); // the stop token is not among them
      expectedText = tokenizer.decode(expected);
      assertTrue(expected.length > 0, "the tiny model answers something before it stops");
    }

    JsonNode tokens =
        JSON.readTree(
            given()
                .contentType(ContentType.JSON)
                .body("{\"model\": \"" + model + "\", \"messages\": " + MESSAGES + "}")
                .post("/tokenize")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    assertArrayEquals(prompt, JSON.convertValue(tokens.get("tokens"), int[].class));

    String answer =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"model\": \""
                    + model
                    + "\", \"max_tokens\": 5, \"temperature\": 0, \"messages\": "
                    + MESSAGES
                    + "}")
            .post("/v1/chat/completions")
            .then()
            .statusCode(200)
            .body("object", equalTo("chat.completion"))
            .body("usage.prompt_tokens", equalTo(prompt.length))
            .extract()
            .path("choices[0].message.content");
    assertEquals(expectedText, answer, "the greedy answer to the rendered conversation");
  }

  @Test
  void chatTemplateKwargsToolsAndTheGenerationPromptReachTheTemplate() throws Exception {
    String model = TestModels.storeQwen3Chat(store);
    ChatTemplate template = ChatTemplate.forModel(store.layout().model(model)).orElseThrow();
    int withThinkingOff = count(model, ", \"chat_template_kwargs\": {\"enable_thinking\": false}");
    int plain = count(model, "");
    int noPrompt = count(model, ", \"add_generation_prompt\": false");
    assertTrue(withThinkingOff > plain, "enable_thinking false writes an empty think block");
    assertTrue(
        noPrompt < plain, "without the generation prompt the assistant header is not written");
    String tools =
        "[{\"type\": \"function\", \"function\": {\"name\": \"pick\", \"parameters\": {}}}]";
    int withTools = count(model, ", \"tools\": " + tools);
    assertTrue(withTools > plain);
    assertTrue(
        template
            .render(messages(), JSON.readValue(tools, List.class), true, Map.of())
            .contains("{\"type\": \"function\", \"function\": {\"name\": \"pick\""));
  }

  private static int count(String model, String extra) {
    return given()
        .contentType(ContentType.JSON)
        .body("{\"model\": \"" + model + "\", \"messages\": " + MESSAGES + extra + "}")
        .post("/tokenize")
        .then()
        .statusCode(200)
        .extract()
        .path("count");
  }

  @Test
  void badChatsAreRefusedNamingTheField() throws Exception {
    String model = TestModels.storeQwen3Chat(store);
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": \""
                + model
                + "\", \"messages\": [{\"role\": \"user\", \"content\": \"a\"},"
                + " {\"role\": \"robot\", \"content\": \"b\"}]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(400)
        .body("error.param", equalTo("messages[1].role"));
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\"}]}")
        .post("/tokenize")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("messages[0].content"));
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": \""
                + model
                + "\", \"prompt\": \"x\", \"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}")
        .post("/tokenize")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("messages"));
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": {\"path\": \""
                + TestModels.FIXTURE
                + "\"}, \"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}")
        .post("/tokenize")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("messages"))
        .body("errors[0].message", containsString("no chat template"));
  }

  @Test
  void aTemplatesOwnRaiseExceptionIsThe400sMessage() throws Exception {
    String model = TestModels.storeQwen3Chat(store);
    java.nio.file.Files.writeString(
        store.layout().model(model).resolve("chat_template.jinja"),
        "{% if messages[0].role != 'user' %}{{ raise_exception('Conversations must start with a"
            + " user message') }}{% endif %}{% for m in messages %}{{ m.content }}{% endfor %}");
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": \"" + model + "\", \"messages\": " + MESSAGES + "}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(400)
        .body("error.param", equalTo("messages"))
        .body("error.message", containsString("Conversations must start with a user message"));
  }

  @Test
  void aModelFinetunedOnConversationsIsServedInItsTemplateOneOnAlpacaRowsIsNot() throws Exception {
    String chat = TestModels.storeQwen3Chat(store);
    java.nio.file.Files.writeString(
        store.layout().modelTrainingRecord(chat), "{\"format\": \"chat\"}");
    given().get("/v1/models/" + chat).then().body("chat_template", equalTo(true));
    String alpaca = TestModels.storeQwen3Chat(store);
    java.nio.file.Files.writeString(
        store.layout().modelTrainingRecord(alpaca),
        "{\"format\": \"alpaca\", \"promptStyle\": \"alpaca\"}");
    given()
        .get("/v1/models/" + alpaca)
        .then()
        .body("chat_template", equalTo(false))
        .body("prompt_style", equalTo("alpaca"));
  }
}
