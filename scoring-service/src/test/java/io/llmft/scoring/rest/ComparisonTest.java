package io.llmft.scoring.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.FakeOllama;
import io.llmft.common.JobPolling;
import io.llmft.common.store.ArtifactStore;
import io.llmft.scoring.TestResponses;
import io.llmft.scoring.compare.Agreement;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Comparisons over the service's API with judges whose answers are known per response: the
 * statistics equal the reference computation's ({@code comparison-stats/reference.json}), the
 * pairwise mode's position swap turns a judge that always picks the first response into ties.
 */
@QuarkusTest
class ComparisonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern WORTH = Pattern.compile("worth (\\d+)");
  @Inject ArtifactStore store;

  /** Each response says what it is worth; the book's judge gives it exactly that. */
  private static int worth(String text) {
    Matcher m = WORTH.matcher(text);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static String modelResponse(String prompt) {
    int at = prompt.indexOf("score the model response `");
    return at >= 0
        ? prompt.substring(at)
        : prompt.substring(prompt.indexOf("Model response:"), prompt.indexOf("Score the model"));
  }

  private static JsonNode reference(String name) throws Exception {
    try (var in = ComparisonTest.class.getResourceAsStream("/comparison-stats/reference.json")) {
      return JSON.readTree(in).path("comparisons").path(name);
    }
  }

  /** The reference case's scores as inline entries with two response keys. */
  private static String entries(JsonNode ref) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < ref.get("a").size(); i++) {
      s.append(i == 0 ? "" : ", ")
          .append("{\"instruction\": \"Task ")
          .append(i)
          .append(".\", \"input\": \"\", \"output\": \"Done.\", \"model_a\": \"Answer worth ")
          .append(ref.get("a").get(i).asInt())
          .append(".\", \"model_b\": \"Answer worth ")
          .append(ref.get("b").get(i).asInt())
          .append(".\"}");
    }
    return s.append("]").toString();
  }

  private static String sources() {
    return "[{\"name\": \"a\", \"responseKey\": \"model_a\"},"
        + " {\"name\": \"b\", \"responseKey\": \"model_b\"}]";
  }

  private static JsonPath run(String body) {
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(body)
            .post("/comparisons")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/scoring-jobs/" + id, Duration.ofSeconds(120)));
    String document = given().get("/comparisons/" + id).then().statusCode(200).extract().asString();
    return new JsonPath(document)
        .using(
            new io.restassured.path.json.config.JsonPathConfig(
                io.restassured.path.json.config.JsonPathConfig.NumberReturnType.DOUBLE));
  }

  @Test
  void scoresModeGivesTheReferenceStatisticsAndTheJudgesAgreement() throws Exception {
    JsonNode ref = reference("exact");
    try (FakeOllama book = new FakeOllama(p -> String.valueOf(worth(modelResponse(p))));
        FakeOllama rubric =
            FakeOllama.replaying(p -> 1 + Math.min(4, worth(modelResponse(p)) / 20))) {
      JsonPath job =
          run(
              "{\"entries\": "
                  + entries(ref)
                  + ", \"judge\": {\"url\": \""
                  + book.url()
                  + "\"}, \"comparison\": {\"mode\": \"scores\", \"sources\": "
                  + sources()
                  + ", \"secondJudge\": {\"url\": \""
                  + rubric.openAiUrl()
                  + "\", \"api\": \"openai\", \"prompt\": \"rubric\", \"output\": \"json\"}}}");
      assertEquals("scores", job.getString("mode"));
      assertEquals(80, job.getInt("total"));
      assertEquals(80, job.getInt("completed"));
      String pair = "comparison.pairs[0].comparison.";
      assertEquals("a", job.getString("comparison.pairs[0].a"));
      assertEquals(ref.get("wins").asInt(), job.getInt(pair + "wins"));
      assertEquals(ref.get("ties").asInt(), job.getInt(pair + "ties"));
      assertEquals(ref.get("losses").asInt(), job.getInt(pair + "losses"));
      assertEquals(
          ref.get("meanDifference").asDouble(), job.getDouble(pair + "meanDifference"), 1e-9);
      assertEquals(ref.get("wilcoxonP").asDouble(), job.getDouble(pair + "wilcoxonP"), 1e-12);
      double width = ref.at("/interval/1").asDouble() - ref.at("/interval/0").asDouble();
      assertEquals(
          ref.at("/interval/0").asDouble(), job.getDouble(pair + "interval.low"), 0.03 * width);
      assertEquals(
          ref.at("/interval/1").asDouble(), job.getDouble(pair + "interval.high"), 0.03 * width);
      assertEquals(ref.get("a").get(0).asInt(), job.getInt("comparison.sources[0].scores[0]"));

      // the second judge's 1-5 scores, mapped onto 0-100, against the first judge's
      int n = ref.get("a").size();
      double[] x = new double[2 * n];
      double[] y = new double[2 * n];
      for (int i = 0; i < 2 * n; i++) {
        int score = (i < n ? ref.get("a") : ref.get("b")).get(i % n).asInt();
        x[i] = score;
        y[i] = 25.0 * Math.min(4, score / 20);
      }
      Agreement expected = Agreement.of(x, y);
      assertEquals(2 * n, job.getInt("comparison.agreement.agreement.n"));
      assertEquals(
          expected.pearson(), job.getDouble("comparison.agreement.agreement.pearson"), 1e-12);
      assertEquals(
          expected.kendall(), job.getDouble("comparison.agreement.agreement.kendall"), 1e-12);
      assertEquals(
          expected.meanAbsoluteDifference(),
          job.getDouble("comparison.agreement.agreement.meanAbsoluteDifference"),
          1e-9);
      assertEquals(5, job.getInt("comparison.agreement.secondScale.max"));
    }
  }

  @Test
  void pairwiseAsksBothOrdersAndAJudgeThatAlwaysPicksTheFirstGivesOnlyTies() throws Exception {
    JsonNode ref = reference("exact");
    String body =
        "{\"entries\": "
            + entries(ref)
            + ", \"judge\": {\"url\": \"%s\"}, \"comparison\": {\"mode\": \"pairwise\","
            + " \"sources\": "
            + sources()
            + "}}";
    try (FakeOllama first = new FakeOllama(p -> "A")) {
      JsonPath job = run(String.format(body, first.url()));
      assertEquals(40, first.calls(), "20 entries, both orders");
      String r = "comparison.pairwise[0].";
      assertEquals(20, job.getInt(r + "ties"));
      assertEquals(0, job.getInt(r + "wins"));
      assertEquals(0, job.getInt(r + "losses"));
      assertEquals(0.5, job.getDouble(r + "winRate"), 1e-12);
      assertEquals(1.0, job.getDouble(r + "firstPositionRate"), 1e-12);
      assertEquals(0.5, job.getDouble(r + "interval.low"), 1e-12);
      assertEquals(0.5, job.getDouble(r + "interval.high"), 1e-12);
    }
    // a judge that picks the response worth more, wherever it is shown
    try (FakeOllama fair =
        new FakeOllama(
            p ->
                worth(p.substring(p.indexOf("Response A:"), p.indexOf("Response B:")))
                        >= worth(p.substring(p.indexOf("Response B:")))
                    ? "A"
                    : "B")) {
      JsonPath job = run(String.format(body, fair.url()));
      String r = "comparison.pairwise[0].";
      assertEquals(ref.get("wins").asInt(), job.getInt(r + "wins"));
      assertEquals(ref.get("losses").asInt(), job.getInt(r + "losses"));
      assertEquals(0, job.getInt(r + "ties"));
      assertEquals(0.65, job.getDouble(r + "winRate"), 1e-12);
      assertEquals(0.5, job.getDouble(r + "firstPositionRate"), 1e-12);
      double low = job.getDouble(r + "interval.low");
      double high = job.getDouble(r + "interval.high");
      assertTrue(low < 0.65 && 0.65 < high && low >= 0 && high <= 1, low + " " + high);
    }
  }

  @Test
  void badComparisonsAreRefusedNamingTheField() throws Exception {
    JsonNode ref = reference("exact");
    String one =
        "{\"entries\": "
            + entries(ref)
            + ", \"comparison\": {\"sources\": [{\"responseKey\": \"model_a\"}]}}";
    given()
        .contentType(ContentType.JSON)
        .body(one)
        .post("/comparisons")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("comparison.sources"));
    given()
        .contentType(ContentType.JSON)
        .body("{\"inferenceJobId\": \"x\"}")
        .post("/comparisons")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("comparison"));
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"entries\": "
                + entries(ref)
                + ", \"comparison\": {\"mode\": \"elo\", \"sources\": "
                + sources()
                + "}, \"judge\": {\"url\": \"http://example.com\"}}")
        .post("/comparisons")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("comparison.mode"))
        .body("errors.field", hasItem("judge.url"));
    // two inference jobs over different entries
    String full = TestResponses.install(store);
    String shorter = TestResponses.install(store);
    var path = store.layout().responses(shorter);
    var all = (com.fasterxml.jackson.databind.node.ArrayNode) JSON.readTree(path.toFile());
    all.remove(all.size() - 1);
    Files.writeString(path, all.toString());
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"comparison\": {\"sources\": [{\"inferenceJobId\": \""
                + full
                + "\"}, {\"inferenceJobId\": \""
                + shorter
                + "\"}]}}")
        .post("/comparisons")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("comparison.sources[1].inferenceJobId"));
  }
}
