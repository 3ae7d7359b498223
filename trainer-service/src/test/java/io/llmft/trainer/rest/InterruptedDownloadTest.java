package io.llmft.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmft.common.JobPolling;
import io.llmft.common.TestDatasets;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.models.FileTrees;
import io.llmft.trainer.FakeHubResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A hub whose first transfer of model.safetensors breaks off half way: the job retries within
 * itself, resumes with one ranged request, and succeeds.
 */
@QuarkusTest
@QuarkusTestResource(
    value = FakeHubResource.class,
    restrictToAnnotatedClass = true,
    initArgs = {
      @ResourceArg(name = "repo", value = "openai-community/gpt2"),
      @ResourceArg(name = "fault", value = "INTERRUPT_FIRST")
    })
class InterruptedDownloadTest {
  @Inject DatasetArtifacts datasets;
  @Inject ArtifactStore store;

  @Test
  void aTransferThatBreaksOffResumesWithinTheJob() throws Exception {
    // a copy left by an earlier run would be used without any transfer
    FileTrees.deleteRecursively(store.layout().baseModels().resolve("gpt2"));
    String datasetId = "ds-" + UUID.randomUUID();
    TestDatasets.write(datasets, datasetId, 8, 2, 2);
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"datasetId\": \""
                    + datasetId
                    + "\", \"baseModel\": \"gpt2-small (124M)\", \"batchSize\": 4, \"maxSteps\": 1}")
            .post("/training-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/training-jobs/" + id, Duration.ofSeconds(120)));
    given()
        .get("/training-jobs/" + id)
        .then()
        .body("attempts", equalTo(1))
        .body("download", containsString("download attempt 1 of 5 failed"));
    long ranged =
        FakeHubResource.hub.log.stream().filter(l -> l.startsWith("GET cdn bytes=")).count();
    long whole = FakeHubResource.hub.log.stream().filter(l -> l.equals("GET cdn whole")).count();
    assertEquals(1, ranged, FakeHubResource.hub.log.toString());
    assertEquals(1, whole, FakeHubResource.hub.log.toString());
  }
}
