package io.llmft.inference.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.common.JobPolling;
import io.llmft.common.TestDatasets;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.inference.TestModels;
import io.llmft.inference.service.FaultyModels;
import io.llmft.inference.service.ModelLoader;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A cancelled inference job, retried, answers only the entries it had not answered (they are in its
 * progress log), and ends with the answers of an uninterrupted job.
 */
@QuarkusTest
class InferenceRetryTest {
  @Inject DatasetArtifacts datasets;
  @Inject ArtifactStore store;

  private static String submit(String model, String dataset) {
    return given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": \""
                + model
                + "\", \"datasetId\": \""
                + dataset
                + "\", \"maxNewTokens\": 4, \"batchSize\": 1}")
        .post("/inference-jobs")
        .then()
        .statusCode(202)
        .extract()
        .path("id");
  }

  private static JsonPath doc(String id) {
    return given().get("/inference-jobs/" + id).then().extract().jsonPath();
  }

  @Test
  void aCancelledJobRetriedAnswersOnlyWhatIsLeft() throws Exception {
    FaultyModels slow = new FaultyModels();
    QuarkusMock.installMockForType(slow, ModelLoader.class);
    slow.slowHeadMillis = 40; // 5 passes an entry: 40 entries take about 8 s
    String dataset = "ds-" + UUID.randomUUID();
    TestDatasets.write(datasets, dataset, 4, 2, 40);
    String model = TestModels.storeModel(store);

    String id = submit(model, dataset);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> doc(id).getInt("completed") >= 5);
    given().delete("/inference-jobs/" + id).then().statusCode(202);
    assertEquals("CANCELLED", JobPolling.awaitEnd("/inference-jobs/" + id, Duration.ofSeconds(60)));
    int before = doc(id).getInt("completed");
    assertTrue(before >= 5 && before < 40, "answered before the cancel: " + before);

    slow.slowHeadMillis = 0;
    given()
        .post("/inference-jobs/" + id + "/retry")
        .then()
        .statusCode(202)
        .body("status", equalTo("RETRIED"));
    assertNotEquals(
        "CANCELLED", doc(id).getString("status"), "read at once, it is retried, not ended");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/inference-jobs/" + id, Duration.ofSeconds(60)));
    given()
        .get("/inference-jobs/" + id)
        .then()
        .body("completed", equalTo(40))
        .body("retries", equalTo(1))
        .body("resumedAfter", equalTo(before));

    String whole = submit(model, dataset);
    assertEquals(
        "SUCCEEDED", JobPolling.awaitEnd("/inference-jobs/" + whole, Duration.ofSeconds(60)));
    List<String> expected =
        given()
            .get("/inference-jobs/" + whole + "/responses")
            .then()
            .extract()
            .path("model_response");
    List<String> retried =
        given().get("/inference-jobs/" + id + "/responses").then().extract().path("model_response");
    assertEquals(expected, retried, "the answers of an uninterrupted job");
  }
}
