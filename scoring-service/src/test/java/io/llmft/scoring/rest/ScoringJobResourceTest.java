package io.llmft.scoring.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.common.FakeOllama;
import io.llmft.common.JobPolling;
import io.llmft.common.store.ArtifactStore;
import io.llmft.scoring.MisbehavingJudge;
import io.llmft.scoring.TestResponses;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ScoringJobResourceTest {
  private static FakeOllama ollama;
  @Inject ArtifactStore store;

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
        .accept("text/event-stream")
        .get("/scoring-jobs/" + id + "/events")
        .then()
        .statusCode(200)
        .body(containsString("\"status\":\"SUCCEEDED\""), containsString("\"scored\":2"));
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
        .body("judgeModel", equalTo("llama3"))
        .body("reference.entries", equalTo(3))
        .body("reference.rougeL", notNullValue())
        .body("timing.rateUnit", equalTo("entries/s"))
        .body("timing.fraction", equalTo(1.0f));
    var requests = ollama.requests().subList(before, ollama.requests().size());
    assertEquals(2, requests.size(), "the empty response is scored 0 without a call");
    // judge.concurrency calls run at once: find the call by its prompt, not by its position
    var first =
        requests.stream()
            .filter(
                r ->
                    r.at("/messages/0/content")
                        .asText()
                        .contains("score the model response `Red.`"))
            .findFirst()
            .orElseThrow();
    assertEquals("llama3", first.get("model").asText());
    assertEquals("user", first.at("/messages/0/role").asText());
    assertEquals(123, first.at("/options/seed").asInt());
    assertEquals(0.0, first.at("/options/temperature").asDouble());
    assertEquals(2048, first.at("/options/num_ctx").asInt());
  }

  @Test
  void referenceOnlyGivesTheReferenceMetricsWithoutCallingAJudge() {
    int before = ollama.requests().size();
    String body =
        "{\"entries\": [" + entry("Red.") + ", " + entry("  ") + "], \"referenceOnly\": true}";
    String id = post(body);
    assertEquals("SUCCEEDED", awaitEnd(id));
    given()
        .get("/scoring-jobs/" + id)
        .then()
        .body("referenceOnly", equalTo(true))
        .body("total", equalTo(2))
        .body("scored", equalTo(0))
        .body("averageScore", nullValue())
        .body("judgeUrl", nullValue())
        .body("reference.entries", equalTo(2))
        .body("reference.rougeL", notNullValue())
        .body("reference.exactMatch", notNullValue());
    assertEquals(before, ollama.requests().size(), "no judge was called");
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"entries\": ["
                + entry("Red.")
                + "], \"referenceOnly\": true, \"judge\": {\"url\": \""
                + ollama.url()
                + "\"}}")
        .post("/scoring-jobs")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("judge"));
  }

  @Test
  void aJudgeThatRefusesTheCallFailsTheJobAtOnceWithItsReason() throws Exception {
    try (FakeOllama missing =
        new FakeOllama(p -> "85", call -> FakeOllama.Fault.MODEL_NOT_FOUND, Duration.ZERO)) {
      String id =
          post(
              "{\"entries\": ["
                  + entry("Red.")
                  + "], \"judge\": {\"url\": \""
                  + missing.url()
                  + "\"}}");
      assertEquals("FAILED", awaitEnd(id));
      given()
          .get("/scoring-jobs/" + id)
          .then()
          .body("error", containsString("HTTP 404"))
          .body("judgeCalls", equalTo(1));
      assertEquals(1, missing.calls(), "a 4xx is not retried");
    }
  }

  @Test
  void cancellingAJobInterruptsItsJudgeCallInFlightWhichIsNotRetried() throws Exception {
    try (MisbehavingJudge judge = MisbehavingJudge.dripping(Duration.ofSeconds(20))) {
      String id =
          post(
              "{\"entries\": ["
                  + entry("Red.")
                  + "], \"judge\": {\"url\": \""
                  + judge.url()
                  + "\"}}");
      judge.awaitCall(Duration.ofSeconds(30));
      given().delete("/scoring-jobs/" + id).then().statusCode(202);
      assertEquals("CANCELLED", awaitEnd(id));
      await().atMost(Duration.ofSeconds(10)).until(() -> judge.hangUps() == 1);
      assertEquals(1, judge.calls(), "the interrupted call is not asked again");
    }
  }

  @Test
  void anUnreachableJudgePausesTheJobSayingWhyUntilItIsCancelled() {
    String id =
        post(
            "{\"entries\": [" + entry("Red.") + "], \"judge\": {\"url\": \"http://127.0.0.1:1\"}}");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> given().get("/scoring-jobs/" + id).path("waiting"),
            w -> w != null && w.toString().contains("http://127.0.0.1:1"));
    given().get("/scoring-jobs/" + id).then().body("status", equalTo("RUNNING"));
    given().delete("/scoring-jobs/" + id).then().statusCode(202);
    assertEquals("CANCELLED", awaitEnd(id));
    given().delete("/scoring-jobs/" + id).then().statusCode(409);
  }

  /**
   * HTTP 500 on every third call, one call that hangs past the call deadline, one error line in the
   * middle of a stream: every entry is scored, with a clean run's scores and average.
   */
  @Test
  void aJudgeThatFailsNowAndThenGivesTheScoresOfACleanRun() throws Exception {
    String responses = TestResponses.install(store);
    Function<String, String> answer = p -> String.valueOf(Math.floorMod(p.hashCode(), 101));
    IntFunction<FakeOllama.Fault> faults =
        call ->
            call == 5
                ? FakeOllama.Fault.HANG
                : call == 7
                    ? FakeOllama.Fault.ERROR_LINE
                    : call % 3 == 0 ? FakeOllama.Fault.SERVER_ERROR : FakeOllama.Fault.NONE;
    List<Object> clean;
    float cleanAverage;
    try (FakeOllama judge = new FakeOllama(answer)) {
      String id = post(scoringOf(responses, judge));
      assertEquals("SUCCEEDED", awaitEnd(id));
      clean = given().get("/scoring-jobs/" + id).path("scores");
      cleanAverage = given().get("/scoring-jobs/" + id).path("averageScore");
    }
    try (FakeOllama flaky = new FakeOllama(answer, faults, Duration.ZERO)) {
      String id = post(scoringOf(responses, flaky));
      assertEquals(
          "SUCCEEDED", JobPolling.awaitEnd("/scoring-jobs/" + id, Duration.ofSeconds(120)));
      var job = given().get("/scoring-jobs/" + id);
      assertEquals(110, (int) job.path("scored"));
      assertEquals(clean, job.path("scores"));
      assertEquals(cleanAverage, (float) job.path("averageScore"));
      int calls = job.path("judgeCalls");
      assertTrue(calls > 110 && calls == flaky.calls(), "retries are counted: " + calls);
      Map<String, Long> perEntry =
          flaky.requests().stream()
              .collect(
                  Collectors.groupingBy(
                      r -> r.at("/messages/0/content").asText(), Collectors.counting()));
      assertEquals(110, perEntry.size(), "every entry was asked");
      String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
      assertTrue(
          metric(metrics, "llmft_judge_retries_total") >= calls - 110 - 1,
          "the retries are counted: " + metric(metrics, "llmft_judge_retries_total"));
      assertTrue(metrics.contains("llmft_judge_latency_seconds_bucket{"), "a latency histogram");
      assertTrue(metrics.contains("llmft_jobs_total{stage=\"scoring\",status=\"SUCCEEDED\"}"));
    }
  }

  /**
   * A job failed by its judge part way (a 4xx from call 40 on) is retried once the judge works
   * again: the entries scored before the failure are not asked again, and every entry is scored.
   */
  @Test
  void aFailedJobRetriedGoesOnFromTheEntriesAlreadyScored() throws Exception {
    String responses = TestResponses.install(store);
    java.util.concurrent.atomic.AtomicBoolean broken =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    try (FakeOllama judge =
        new FakeOllama(
            p -> "50",
            call ->
                broken.get() && call >= 40
                    ? FakeOllama.Fault.MODEL_NOT_FOUND
                    : FakeOllama.Fault.NONE,
            Duration.ZERO)) {
      String id = post(scoringOf(responses, judge));
      assertEquals("FAILED", awaitEnd(id));
      int scoredBefore = given().get("/scoring-jobs/" + id).path("completed");
      assertTrue(
          scoredBefore >= 30 && scoredBefore < 110, "scored before it failed: " + scoredBefore);
      int callsBefore = judge.calls();
      broken.set(false);
      given()
          .post("/scoring-jobs/" + id + "/retry")
          .then()
          .statusCode(202)
          .body("retryRequested", equalTo(true));
      assertEquals(
          "SUCCEEDED", JobPolling.awaitEnd("/scoring-jobs/" + id, Duration.ofSeconds(120)));
      var job = given().get("/scoring-jobs/" + id);
      assertEquals(110, (int) job.path("scored"));
      assertEquals(1, (int) job.path("retries"));
      assertEquals(50f, (float) job.path("averageScore"));
      assertEquals(
          110 - scoredBefore, judge.calls() - callsBefore, "only the entries not yet scored");
      given().post("/scoring-jobs/" + id + "/retry").then().statusCode(409);
    }
  }

  /** The value of an untagged meter in Prometheus' text format. */
  static double metric(String metrics, String name) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static String scoringOf(String inferenceJobId, FakeOllama judge) {
    return "{\"inferenceJobId\": \""
        + inferenceJobId
        + "\", \"judge\": {\"url\": \""
        + judge.url()
        + "\"}}";
  }

  private static String post(String body) {
    return given()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/scoring-jobs")
        .then()
        .statusCode(202)
        .extract()
        .path("id");
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
