package io.llmft.inference.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
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

  /**
   * A viewer's {@code /detokenize} with more ids than the context, or as many bad ids as it holds,
   * gets one bounded problem; a hostile tokenizer.json (a huge or negative id) is refused naming
   * the model, not a 500.
   */
  @Test
  void tokenizeInputsAreBounded() throws Exception {
    String tooMany = java.util.Collections.nCopies(97, "0").toString();
    given()
        .contentType("application/json")
        .body("{\"model\": \"" + model + "\", \"tokens\": " + tooMany + "}")
        .post("/detokenize")
        .then()
        .statusCode(400)
        .body("errors.field", equalTo(List.of("tokens")));
    String bad = java.util.Collections.nCopies(96, "-1").toString();
    given()
        .contentType("application/json")
        .body("{\"model\": \"" + model + "\", \"tokens\": " + bad + "}")
        .post("/detokenize")
        .then()
        .statusCode(400)
        .body("errors.size()", equalTo(io.llmft.common.rest.ProblemException.MAX_ERRORS));
    java.nio.file.Path hostile =
        java.nio.file.Files.createDirectories(
            store.layout().imports().resolve("hostile-tokenizer-" + java.util.UUID.randomUUID()));
    java.nio.file.Path llama =
        java.nio.file.Path.of("../models/src/test/resources/llama-tiny").toAbsolutePath();
    for (String f : new String[] {"config.json", "model.safetensors"}) {
      java.nio.file.Files.copy(llama.resolve(f), hostile.resolve(f));
    }
    java.nio.file.Files.writeString(
        hostile.resolve("tokenizer.json"),
        "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 2147483647}},"
            + " \"decoder\": {\"type\": \"ByteLevel\"}}");
    given()
        .contentType("application/json")
        .body("{\"model\": {\"path\": \"" + hostile + "\"}, \"prompt\": \"x\"}")
        .post("/tokenize")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("model"))
        .body("errors.message", hasItem(org.hamcrest.Matchers.containsString("token a has id")));
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
