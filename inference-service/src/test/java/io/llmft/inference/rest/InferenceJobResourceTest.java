package io.llmft.inference.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmft.common.JobPolling;
import io.llmft.common.TestDatasets;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.inference.TestModels;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class InferenceJobResourceTest {
  @Inject DatasetArtifacts datasets;
  @Inject ArtifactStore store;

  /** Posts a job for the model and dataset with more fields; returns its id. */
  private static String submit(String modelId, String datasetId, String moreFields) {
    return given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": \""
                + modelId
                + "\", \"datasetId\": \""
                + datasetId
                + "\""
                + moreFields
                + "}")
        .post("/inference-jobs")
        .then()
        .statusCode(202)
        .header("Location", containsString("/inference-jobs/"))
        .extract()
        .path("id");
  }

  @Test
  void answersEveryEntryOfTheSplitInTheBooksShape() throws Exception {
    String datasetId = "ds-" + UUID.randomUUID();
    TestDatasets.write(datasets, datasetId, 4, 2, 3);
    String modelId = TestModels.storeModel(store);
    String id = submit(modelId, datasetId, ", \"maxNewTokens\": 3");
    JobPolling.awaitEnd("/inference-jobs/" + id, Duration.ofSeconds(60));
    given()
        .get("/inference-jobs/" + id)
        .then()
        .body("status", equalTo("SUCCEEDED"))
        .body("split", equalTo("test"))
        .body("total", equalTo(3))
        .body("completed", equalTo(3))
        .body("generatedTokens", equalTo(9));
    // its event stream: an ended job's stream is its one, final document
    given()
        .accept("text/event-stream")
        .get("/inference-jobs/" + id + "/events")
        .then()
        .statusCode(200)
        .body(containsString("\"status\":\"SUCCEEDED\""), containsString("\"completed\":3"));
    given()
        .get("/inference-jobs/" + id + "/responses")
        .then()
        .statusCode(200)
        .body("$", hasSize(3))
        .body("instruction", everyItem(equalTo("Add the numbers.")))
        .body("input[0]", equalTo("0 + 1"))
        .body("model_response", everyItem(notNullValue()));
  }

  @Test
  void batchedAnswersAreTheAnswersOfOneAtATime() throws Exception {
    batchedAnswersAreTheAnswersOfOneAtATime(TestModels.storeModel(store));
  }

  /** A Llama model: its own tokenizer, begin-of-text first, stopping at any of its eos ids. */
  @Test
  void batchedLlamaAnswersAreTheAnswersOfOneAtATime() throws Exception {
    batchedAnswersAreTheAnswersOfOneAtATime(TestModels.storeLlama(store, "alpaca"));
  }

  private void batchedAnswersAreTheAnswersOfOneAtATime(String modelId) throws Exception {
    String datasetId = "ds-" + UUID.randomUUID();
    // prompts of different lengths, so that batches are padded
    var test =
        java.util.List.of(
            TestDatasets.entry("Add the numbers.", "1 + 2", "3"),
            TestDatasets.entry("Name a color.", "", "Red."),
            TestDatasets.entry("Rewrite the sentence in the passive voice.", "The cat ate it.", ""),
            TestDatasets.entry("Say hi.", "", "Hi."),
            TestDatasets.entry("Translate to French, then explain each word.", "good morning", ""));
    datasets.write(
        new DatasetArtifacts.Manifest(
            datasetId,
            datasetId,
            "alpaca",
            1024,
            java.util.Map.of("train", 0, "validation", 0, "test", 5)),
        java.util.Map.of(
            "train", java.util.List.of(), "validation", java.util.List.of(), "test", test));
    String id = submit(modelId, datasetId, ", \"maxNewTokens\": 12, \"batchSize\": 2");
    JobPolling.awaitEnd("/inference-jobs/" + id, Duration.ofSeconds(60));
    given()
        .get("/inference-jobs/" + id)
        .then()
        .body("status", equalTo("SUCCEEDED"))
        .body("batchSize", equalTo(2))
        .body("completed", equalTo(5));
    java.util.List<java.util.Map<String, Object>> responses =
        given().get("/inference-jobs/" + id + "/responses").then().extract().path("$");
    assertEquals(5, responses.size());
    for (var entry : responses) {
      String alone =
          given()
              .contentType(ContentType.JSON)
              .body(
                  java.util.Map.of(
                      "model",
                      modelId,
                      "instruction",
                      entry.get("instruction"),
                      "input",
                      entry.get("input"),
                      "maxNewTokens",
                      12))
              .post("/generate")
              .then()
              .statusCode(200)
              .extract()
              .path("response");
      assertEquals(alone, entry.get("model_response"), "entry " + entry.get("input"));
    }
  }

  @Test
  void invalidJobsAndUnknownIdsAreProblems() {
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": 5, \"datasetId\": \"nope\", \"split\": \"dev\", \"maxNewTokens\": -2, \"batchSize\": 0}")
        .post("/inference-jobs")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItems("model", "datasetId", "split", "maxNewTokens", "batchSize"));
    given().get("/inference-jobs/nope").then().statusCode(404);
    given().get("/inference-jobs/nope/responses").then().statusCode(404);
  }
}
