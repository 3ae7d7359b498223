package io.llmft.inference.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import io.llmft.common.ArtifactStore;
import io.llmft.common.DatasetArtifacts;
import io.llmft.common.JobPolling;
import io.llmft.common.TestDatasets;
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

  @Test
  void answersEveryEntryOfTheSplitInTheBooksShape() throws Exception {
    String datasetId = "ds-" + UUID.randomUUID();
    TestDatasets.write(datasets, datasetId, 4, 2, 3);
    String modelId = TestModels.storeModel(store);
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"model\": \""
                    + modelId
                    + "\", \"datasetId\": \""
                    + datasetId
                    + "\", \"maxNewTokens\": 3}")
            .post("/inference-jobs")
            .then()
            .statusCode(202)
            .header("Location", containsString("/inference-jobs/"))
            .extract()
            .path("id");
    JobPolling.awaitEnd("/inference-jobs/" + id, Duration.ofSeconds(60));
    given()
        .get("/inference-jobs/" + id)
        .then()
        .body("status", equalTo("SUCCEEDED"))
        .body("split", equalTo("test"))
        .body("total", equalTo(3))
        .body("completed", equalTo(3))
        .body("generatedTokens", equalTo(9));
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
  void invalidJobsAndUnknownIdsAreProblems() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": 5, \"datasetId\": \"nope\", \"split\": \"dev\", \"maxNewTokens\": -2}")
        .post("/inference-jobs")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItems("model", "datasetId", "split", "maxNewTokens"));
    given().get("/inference-jobs/nope").then().statusCode(404);
    given().get("/inference-jobs/nope/responses").then().statusCode(404);
  }
}
