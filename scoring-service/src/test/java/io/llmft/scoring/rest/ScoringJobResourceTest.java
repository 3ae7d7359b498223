package io.llmft.scoring.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmft.common.FakeOllama;
import io.llmft.common.JobPolling;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ScoringJobResourceTest {
  private static FakeOllama ollama;

  @BeforeAll
  static void judge() throws Exception {
    ollama =
        new FakeOllama(
            prompt -> {
              if (prompt.contains("UNPARSABLE")) {
                return "Great answer!";
              }
              if (prompt.contains("BROKEN")) {
                return null;
              }
              return "85";
            });
  }

  @AfterAll
  static void stop() {
    ollama.close();
  }

  private static String entry(String response) {
    return "{\"instruction\": \"Name a color.\", \"input\": \"\", \"output\": \"Blue.\", \"model_response\": \""
        + response
        + "\"}";
  }

  private static String awaitEnd(String id) {
    return JobPolling.awaitEnd("/scoring-jobs/" + id, Duration.ofSeconds(60));
  }

  @Test
  void scoresWithTheBooksJudgeCallAndRecordsWhatItCannotParse() {
    int before = ollama.requests().size();
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"entries\": ["
                    + entry("Red.")
                    + ", "
                    + entry("UNPARSABLE")
                    + ", "
                    + entry("  ")
                    + "], \"judge\": {\"url\": \""
                    + ollama.url()
                    + "\"}}")
            .post("/scoring-jobs")
            .then()
            .statusCode(202)
            .header("Location", containsString("/scoring-jobs/"))
            .extract()
            .path("id");
    assertEquals("SUCCEEDED", awaitEnd(id));
    given()
        .get("/scoring-jobs/" + id)
        .then()
        .body("total", equalTo(3))
        .body("scored", equalTo(2))
        .body("averageScore", equalTo(42.5f))
        .body("scores.index", equalTo(List.of(0, 2)))
        .body("scores.score", equalTo(List.of(85, 0)))
        .body("scores[0].raw", equalTo("85"))
        .body("unparsed[0].index", equalTo(1))
        .body("unparsed[0].raw", equalTo("Great answer!"))
        .body("judgeModel", equalTo("llama3"));
    var requests = ollama.requests().subList(before, ollama.requests().size());
    assertEquals(2, requests.size(), "the empty response is scored 0 without a call");
    var first = requests.get(0);
    assertEquals("llama3", first.get("model").asText());
    assertEquals("user", first.at("/messages/0/role").asText());
    assertEquals(123, first.at("/options/seed").asInt());
    assertEquals(0.0, first.at("/options/temperature").asDouble());
    assertEquals(2048, first.at("/options/num_ctx").asInt());
    assertEquals(
        true, first.at("/messages/0/content").asText().contains("score the model response `Red.`"));
  }

  @Test
  void anErrorLineMidStreamFailsTheJob() {
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"entries\": ["
                    + entry("BROKEN")
                    + "], \"judge\": {\"url\": \""
                    + ollama.url()
                    + "\"}}")
            .post("/scoring-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("FAILED", awaitEnd(id));
    given()
        .get("/scoring-jobs/" + id)
        .then()
        .body("error", containsString("model runner has unexpectedly stopped"));
  }

  @Test
  void anUnreachableJudgeFailsTheJobNamingItsUrl() {
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"entries\": ["
                    + entry("Red.")
                    + "], \"judge\": {\"url\": \"http://127.0.0.1:1\"}}")
            .post("/scoring-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("FAILED", awaitEnd(id));
    given().get("/scoring-jobs/" + id).then().body("error", containsString("http://127.0.0.1:1"));
  }

  @Test
  void invalidJobsNameEveryField() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"judge\": {\"url\": \"ftp://x\"}}")
        .post("/scoring-jobs")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItems("inferenceJobId", "judge.url"));
    given()
        .contentType(ContentType.JSON)
        .body("{\"entries\": [{\"instruction\": \"x\"}]}")
        .post("/scoring-jobs")
        .then()
        .statusCode(400)
        .body("errors.field", hasItems("entries[0].output", "entries[0].model_response"));
    given()
        .contentType(ContentType.JSON)
        .body("{\"inferenceJobId\": \"never-ran\"}")
        .post("/scoring-jobs")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("inferenceJobId"));
    given()
        .get("/scoring-jobs/nope")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }
}
