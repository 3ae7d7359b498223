package io.llmft.inference.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;

import io.llmft.common.TestDatasets;
import io.llmft.common.security.AuthCorpus;
import io.llmft.common.security.InputCorpus;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.Topics;
import io.llmft.inference.TestModels;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** inference-service's security corpus: who may call, which directories, every number bounded. */
@QuarkusTest
class InferenceSecurityTest extends AuthCorpus {
  private static final String DATASET = "ds-inference-security";
  private static String model;

  @Inject DatasetArtifacts datasets;
  @Inject ArtifactStore store;

  private final InputCorpus corpus = new InputCorpus("/inference-jobs", Topics.INFERENCE_JOBS);

  @BeforeEach
  void modelAndDataset() throws Exception {
    TestDatasets.write(datasets, DATASET, 2, 1, 2);
    if (model == null) {
      model = TestModels.storeModel(store);
    }
  }

  @Override
  protected String collection() {
    return "/inference-jobs";
  }

  @Override
  protected String validJob(String jobId) {
    return job("\"maxNewTokens\": 2").replace("%ID%", jobId);
  }

  private static String job(String more) {
    return "{\"jobId\": \"%ID%\", \"model\": \""
        + model
        + "\", \"datasetId\": \""
        + DATASET
        + "\", "
        + more
        + "}";
  }

  @Test
  void modelDirectoriesOutsideTheAllowedRootsAreRefused() {
    for (String path : List.of("/etc", "/proc/self", "/", "data/imports/../../..", "/root")) {
      corpus.refused(
          "{\"jobId\": \"%ID%\", \"datasetId\": \""
              + DATASET
              + "\", \"model\": {\"path\": \""
              + path
              + "\"}}",
          "model.path");
      generateRefused(
          "{\"model\": {\"path\": \"" + path + "\"}, \"instruction\": \"x\"}", "model.path");
    }
  }

  @Test
  void everyNumberIsBounded() {
    corpus.numbers(job("\"maxNewTokens\": %N%"), "maxNewTokens");
    corpus.numbers(job("\"batchSize\": %N%"), "batchSize");
    corpus.numbers(job("\"schemaVersion\": %N%"), "schemaVersion");
    for (String n : InputCorpus.NUMBERS) {
      String base = "{\"model\": \"" + model + "\", \"instruction\": \"x\", ";
      generateRefused(base + "\"maxNewTokens\": " + n + "}", "maxNewTokens");
      if (!n.equals("0")) {
        generateRefused(base + "\"temperature\": " + n + "}", "temperature");
      }
      if (!n.equals("0")) {
        generateRefused(base + "\"topK\": " + n + "}", "topK");
      }
    }
    generateRefused(
        "{\"model\": \"" + model + "\", \"instruction\": \"" + "i".repeat(20_001) + "\"}",
        "instruction");
  }

  @Test
  void oversizedBodiesAreRefused() throws Exception {
    corpus.bodyOverTheLimitIs413();
  }

  private static void generateRefused(String body, String field) {
    given()
        .contentType("application/json")
        .body(body)
        .post("/generate")
        .then()
        .log()
        .ifValidationFails()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem(field));
  }
}
