package io.llmft.inference.openai;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.TestAuth;
import io.llmft.common.store.ArtifactStore;
import io.llmft.inference.TestModels;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible API over REST Assured: shapes, streaming, equality with /generate. */
@QuarkusTest
class OpenAiApiTest {
  static final String INSTRUCTION = "Rewrite the sentence using a simile.";
  private static String model;
  private final ObjectMapper json = new ObjectMapper();

  @Inject ArtifactStore store;

  @BeforeEach
  void model() throws Exception {
    if (model == null) {
      model = TestModels.storeModel(store);
    }
  }

  static String chat(String model, int maxTokens, String more) {
    return "{\"model\": \""
        + model
        + "\", \"messages\": [{\"role\": \"user\", \"content\": \""
        + INSTRUCTION
        + "\"}], \"max_tokens\": "
        + maxTokens
        + ", \"temperature\": 0"
        + more
        + "}";
  }

  static String generate(String model, String instruction, int maxNewTokens) {
    return given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": \""
                + model
                + "\", \"instruction\": \""
                + instruction
                + "\", \"maxNewTokens\": "
                + maxNewTokens
                + "}")
        .post("/generate")
        .then()
        .statusCode(200)
        .extract()
        .path("response");
  }

  /** The content a streamed chat sends, chunk by chunk, and its last JSON events. */
  private List<JsonNode> events(String body) throws Exception {
    String sse =
        given()
            .contentType(ContentType.JSON)
            .body(body)
            .post("/v1/chat/completions")
            .then()
            .statusCode(200)
            .contentType(startsWith("text/event-stream"))
            .extract()
            .asString();
    assertTrue(sse.endsWith("data: [DONE]\n\n"), sse);
    List<JsonNode> events = new ArrayList<>();
    for (String event : sse.split("\n\n")) {
      assertTrue(event.startsWith("data: "), event);
      String data = event.substring("data: ".length());
      if (!data.equals("[DONE]")) {
        events.add(json.readTree(data));
      }
    }
    return events;
  }

  @Test
  void modelsAreListedInOpenAisShape() {
    given()
        .get("/v1/models")
        .then()
        .statusCode(200)
        .body("object", equalTo("list"))
        .body("data.id", hasItem(model))
        .body("data.find { it.id == '" + model + "' }.object", equalTo("model"))
        .body("data.find { it.id == '" + model + "' }.owned_by", equalTo("llmft"))
        .body("data.find { it.id == '" + model + "' }.precision", equalTo("fp32"));
    given().get("/v1/models/" + model).then().statusCode(200).body("id", equalTo(model));
    given()
        .get("/v1/models/nope")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("model_not_found"));
  }

  @Test
  void aGreedyChatAnswersWhatGenerateAnswers() {
    String expected = generate(model, INSTRUCTION, 12);
    given()
        .contentType(ContentType.JSON)
        .body(chat(model, 12, ""))
        .post("/v1/chat/completions")
        .then()
        .statusCode(200)
        .body("object", equalTo("chat.completion"))
        .body("model", equalTo(model))
        .body("choices[0].message.role", equalTo("assistant"))
        .body("choices[0].message.content", equalTo(expected))
        .body("choices[0].finish_reason", equalTo("length"))
        .body("usage.completion_tokens", equalTo(12));
  }

  @Test
  void aStreamedChatSendsTheSameTextChunkByChunkThenDone() throws Exception {
    String expected = generate(model, INSTRUCTION, 12);
    List<JsonNode> events =
        events(
            chat(model, 12, ", \"stream\": true, \"stream_options\": {\"include_usage\": true}"));
    assertEquals("assistant", events.get(0).at("/choices/0/delta/role").asText());
    StringBuilder content = new StringBuilder();
    for (JsonNode e : events) {
      assertEquals("chat.completion.chunk", e.get("object").asText());
      e.get("choices").forEach(c -> content.append(c.at("/delta/content").asText("")));
    }
    assertEquals(expected, content.toString());
    JsonNode last = events.get(events.size() - 2);
    assertEquals("length", last.at("/choices/0/finish_reason").asText());
    JsonNode usage = events.get(events.size() - 1);
    assertEquals(0, usage.get("choices").size());
    assertEquals(12, usage.at("/usage/completion_tokens").asInt());
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertTrue(metrics.contains("llmft_generated_tokens_total{api=\"openai\"}"), "tokens");
    assertTrue(metrics.contains("llmft_serving_batch_largest{model="), "the loop's meters");
  }

  @Test
  void aRawCompletionContinuesThePromptAsIs() {
    String completed =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"model\": \""
                    + model
                    + "\", \"prompt\": \"Once upon a time\", \"max_tokens\": 5,"
                    + " \"temperature\": 0}")
            .post("/v1/completions")
            .then()
            .statusCode(200)
            .body("object", equalTo("text_completion"))
            .body("usage.completion_tokens", equalTo(5))
            .extract()
            .path("choices[0].text");
    assertTrue(!completed.isEmpty());
  }

  @Test
  void concurrentGreedyRequestsOfDifferentLengthsEachGetTheirOwnAnswer() throws Exception {
    String[] instructions = {
      "Name a color.", INSTRUCTION, "Translate 'thank you' into German please, kindly.", "Hi"
    };
    int[] lengths = {3, 15, 8, 20};
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < instructions.length; i++) {
      expected.add(generate(model, instructions[i], lengths[i]));
    }
    ExecutorService pool = Executors.newFixedThreadPool(instructions.length);
    try {
      List<CompletableFuture<String>> answers = new ArrayList<>();
      for (int i = 0; i < instructions.length; i++) {
        String body =
            "{\"model\": \""
                + model
                + "\", \"messages\": [{\"role\": \"user\", \"content\": \""
                + instructions[i]
                + "\"}], \"max_tokens\": "
                + lengths[i]
                + ", \"temperature\": 0}";
        answers.add(
            CompletableFuture.supplyAsync(
                () ->
                    given()
                        .contentType(ContentType.JSON)
                        .body(body)
                        .post("/v1/chat/completions")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<String>path("choices[0].message.content"),
                pool));
      }
      for (int i = 0; i < instructions.length; i++) {
        assertEquals(expected.get(i), answers.get(i).get(), instructions[i]);
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aStopSequenceEndsTheAnswerBeforeIt() {
    String full = generate(model, INSTRUCTION, 12);
    String stop = full.length() > 4 ? full.substring(2, 4) : "zz";
    String answer =
        given()
            .contentType(ContentType.JSON)
            .body(
                chat(
                    model,
                    12,
                    ", \"stop\": [\"" + stop.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]"))
            .post("/v1/chat/completions")
            .then()
            .statusCode(200)
            .extract()
            .path("choices[0].message.content");
    int at = full.indexOf(stop);
    assertEquals(at >= 0 ? full.substring(0, at).strip() : full, answer);
  }

  @Test
  void whatCannotBeMappedOrServedIsAnOpenAiError() {
    for (String[] c :
        new String[][] {
          {
            "{\"model\": \""
                + "%M"
                + "\", \"messages\": [{\"role\": \"system\", \"content\": \"be brief\"}, {\"role\": \"user\", \"content\": \"hi\"}]}",
            "messages"
          },
          {
            "{\"model\": \"%M\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"n\": 2}",
            "n"
          },
          {
            "{\"model\": \"%M\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": 3}",
            "temperature"
          },
          {
            "{\"model\": \"%M\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"top_p\": 0}",
            "top_p"
          },
          {
            "{\"model\": \"%M\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 5000}",
            "max_tokens"
          },
          {"{\"model\": \"%M\", \"messages\": []}", "messages"},
          {
            "{\"model\": \"%M\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": [\"\"]}",
            "stop"
          },
          {
            "{\"model\": \"%M\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": [{\"type\": \"function\"}]}",
            "tools"
          },
        }) {
      given()
          .contentType(ContentType.JSON)
          .body(c[0].replace("%M", model))
          .post("/v1/chat/completions")
          .then()
          .statusCode(400)
          .contentType(ContentType.JSON)
          .body("error.type", equalTo("invalid_request_error"))
          .body("error.param", equalTo(c[1]));
    }
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": \"no-such-model\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("model_not_found"));
    given()
        .contentType(ContentType.JSON)
        .body("{not json")
        .post("/v1/chat/completions")
        .then()
        .statusCode(400)
        .body("error.type", equalTo("invalid_request_error"));
  }

  @Test
  void theSameBearerTokensGuardIt() {
    given()
        .noFilters()
        .get("/v1/models")
        .then()
        .statusCode(401)
        .contentType(ContentType.JSON)
        .body("error.type", equalTo("authentication_error"));
    given()
        .header("Authorization", TestAuth.bearer(TestAuth.VIEWER_KEY))
        .contentType(ContentType.JSON)
        .body(chat(model, 2, ""))
        .post("/v1/chat/completions")
        .then()
        .statusCode(200);
    given().noFilters().get("/").then().statusCode(200).contentType(startsWith("text/html"));
  }
}
