package io.llmft.scoring.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.FakeOllama;
import io.llmft.common.JobPolling;
import io.llmft.common.store.ArtifactStore;
import io.llmft.scoring.TestResponses;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every judge route and output form against a local server speaking that API, replaying one fixed
 * score per prompt: each gives the scores and average of today's route (Ollama, text).
 */
@QuarkusTest
class JudgeRoutesTest {
  private static FakeOllama judge;
  private static String responses;
  @Inject ArtifactStore store;

  /** A fixed score per response: the same whichever route asks. */
  private static int bookScore(String prompt) {
    int at = prompt.indexOf("score the model response `");
    String key =
        at >= 0
            ? prompt.substring(at)
            : prompt.substring(
                prompt.indexOf("Model response:"), prompt.indexOf("Score the model response"));
    return Math.floorMod(key.hashCode(), 101);
  }

  @BeforeAll
  static void start() throws Exception {
    judge =
        FakeOllama.replaying(
            p -> p.contains("Model response:") ? 1 + bookScore(p) % 5 : bookScore(p));
  }

  @AfterAll
  static void stop() {
    judge.close();
  }

  private String responses() throws Exception {
    if (responses == null) {
      responses = TestResponses.install(store);
    }
    return responses;
  }

  private JsonPath score(String judgeJson) throws Exception {
    String id =
        given()
            .contentType(ContentType.JSON)
            .body("{\"inferenceJobId\": \"" + responses() + "\", \"judge\": " + judgeJson + "}")
            .post("/scoring-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/scoring-jobs/" + id, Duration.ofSeconds(120)));
    return given().get("/scoring-jobs/" + id).jsonPath();
  }

  private List<JsonNode> requestsSince(int before) {
    return judge.requests().subList(before, judge.requests().size());
  }

  @Test
  void everyRouteAndOutputGivesTheScoresOfTodaysRoute() throws Exception {
    JsonPath today = score("{\"url\": \"" + judge.url() + "\"}");
    assertEquals(110, today.getInt("scored"));
    List<Integer> scores = today.getList("scores.score");
    float average = today.getFloat("averageScore");

    String[] routes = {
      "{\"url\": \"" + judge.url() + "\", \"output\": \"json\"}",
      "{\"url\": \"" + judge.url() + "\", \"output\": \"json\", \"stream\": false}",
      "{\"url\": \"" + judge.openAiUrl() + "\", \"api\": \"openai\"}",
      "{\"url\": \"" + judge.openAiUrl() + "\", \"api\": \"openai\", \"stream\": true}",
      "{\"url\": \""
          + judge.openAiUrl()
          + "\", \"api\": \"openai\", \"output\": \"json\", \"apiKeySecret\": \"test-judge\"}",
      "{\"url\": \""
          + judge.openAiUrl()
          + "\", \"api\": \"openai\", \"output\": \"json\", \"stream\": true}",
      // a custom schema whose score is not called "score"
      "{\"url\": \""
          + judge.url()
          + "\", \"output\": \"json\", \"schema\": {\"type\": \"object\", \"properties\":"
          + " {\"rating\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 100}},"
          + " \"required\": [\"rating\"]}}"
    };
    for (String route : routes) {
      int before = judge.requests().size();
      JsonPath job = score(route);
      assertEquals(scores, job.getList("scores.score"), route);
      assertEquals(average, job.getFloat("averageScore"), route);
      assertEquals(0, job.getList("unparsed").size(), route);
      List<JsonNode> sent = requestsSince(before);
      assertEquals(110, sent.size(), route);
      JsonNode first = sent.get(0);
      if (route.contains("openai")) {
        assertEquals(0.0, first.path("temperature").asDouble());
        assertEquals(123, first.path("seed").asInt());
        assertEquals(route.contains("\"stream\": true"), first.path("stream").asBoolean());
      }
      if (route.contains("\"json\"")) {
        JsonNode schema =
            route.contains("openai")
                ? first.at("/response_format/json_schema/schema")
                : first.get("format");
        assertEquals(
            "json_schema",
            route.contains("openai") ? first.at("/response_format/type").asText() : "json_schema");
        assertEquals("object", schema.path("type").asText(), route);
        String property = route.contains("rating") ? "rating" : "score";
        assertEquals("integer", schema.at("/properties/" + property + "/type").asText(), route);
      } else {
        assertTrue(!first.has("format") && !first.has("response_format"), route);
      }
    }
    assertTrue(
        judge.authorizations().contains("Bearer sk-test-judge-key"),
        "the named secret is sent as the bearer key");
    assertTrue(judge.authorizations().contains("null"), "no key where none is named");
  }

  @Test
  void theRubricScoresOnItsOwnScaleInTextAndJson() throws Exception {
    JsonPath text =
        score(
            "{\"url\": \""
                + judge.openAiUrl()
                + "\", \"api\": \"openai\", \"prompt\": \"rubric\"}");
    JsonPath json =
        score("{\"url\": \"" + judge.url() + "\", \"prompt\": \"rubric\", \"output\": \"json\"}");
    for (JsonPath job : List.of(text, json)) {
      assertEquals(110, job.getInt("scored"));
      assertEquals(1, job.getInt("scale.min"));
      assertEquals(5, job.getInt("scale.max"));
      List<Integer> scores = job.getList("scores.score");
      assertTrue(scores.stream().allMatch(s -> s >= 1 && s <= 5), scores.toString());
    }
    assertEquals(text.getList("scores.score"), json.getList("scores.score"));
    double mean =
        text.getList("scores.score", Integer.class).stream()
            .mapToInt(i -> i)
            .average()
            .orElseThrow();
    assertEquals(mean, text.getDouble("averageScore"), 1e-6);
    JsonNode rubricRequest = judge.requests().get(judge.requests().size() - 1);
    assertTrue(
        rubricRequest.at("/format/required").toString().contains("justification"),
        "the rubric's schema asks for a justification");
  }

  @Test
  void badJudgesAreRefusedNamingTheField() throws Exception {
    String entries =
        "\"entries\": [{\"instruction\": \"Name a color.\", \"output\": \"Blue.\","
            + " \"model_response\": \"Red.\"}]";
    String[][] cases = {
      {"{\"url\": \"http://example.com:11434\"}", "judge.url"},
      {"{\"url\": \"" + judge.url() + "\", \"api\": \"anthropic\"}", "judge.api"},
      {"{\"url\": \"" + judge.url() + "\", \"output\": \"xml\"}", "judge.output"},
      {"{\"url\": \"" + judge.url() + "\", \"prompt\": \"haiku\"}", "judge.prompt"},
      {
        "{\"url\": \""
            + judge.url()
            + "\", \"output\": \"json\", \"schema\": {\"type\": \"array\"}}",
        "judge.schema"
      },
      {
        "{\"url\": \""
            + judge.url()
            + "\", \"output\": \"json\", \"schema\": {\"type\": \"object\", \"properties\":"
            + " {\"a\": {\"type\": \"integer\"}, \"b\": {\"type\": \"integer\"}}}}",
        "judge.schema"
      },
      {"{\"url\": \"" + judge.url() + "\", \"schema\": {\"type\": \"object\"}}", "judge.schema"},
      {"{\"url\": \"" + judge.url() + "\", \"apiKeySecret\": \"nope\"}", "judge.apiKeySecret"},
      {"{\"url\": \"" + judge.url() + "\", \"apiKey\": \"sk-in-the-body\"}", "judge.apiKey"},
    };
    for (String[] c : cases) {
      given()
          .contentType(ContentType.JSON)
          .body("{" + entries + ", \"judge\": " + c[0] + "}")
          .post("/scoring-jobs")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("errors.field", hasItem(c[1]));
    }
    given()
        .contentType(ContentType.JSON)
        .body(
            "{"
                + entries
                + ", \"judge\": {\"url\": \""
                + judge.url()
                + "\", \"output\": \"json\"}}")
        .post("/scoring-jobs")
        .then()
        .statusCode(202)
        .body("status", equalTo("PENDING"));
  }
}
