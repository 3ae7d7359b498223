package io.llmft.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llmft.common.JobPolling;
import io.llmft.common.TestDatasets;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.models.LanguageModel;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.llmft.text.Gpt2Tokenizer;
import io.llmft.trainer.FakeHubResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The whole path for a GPT-2 name: download from the hub, finetune, save in HF layout, reload,
 * generate.
 */
@QuarkusTest
@QuarkusTestResource(value = FakeHubResource.class, restrictToAnnotatedClass = true)
class PretrainedModelTest {
  @Inject DatasetArtifacts datasets;
  @Inject ArtifactStore store;

  @Test
  void gpt2MediumByNameIsDownloadedFinetunedSavedAndReloaded() throws Exception {
    String datasetId = "ds-" + UUID.randomUUID();
    TestDatasets.write(datasets, datasetId, 8, 2, 2);
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"datasetId\": \""
                    + datasetId
                    + "\", \"baseModel\": \"gpt2-medium (355M)\", \"batchSize\": 4, \"maxSteps\": 2, \"learningRate\": 0.01}")
            .post("/training-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    JobPolling.awaitEnd("/training-jobs/" + id, Duration.ofSeconds(120));
    given()
        .get("/training-jobs/" + id)
        .then()
        .body("status", equalTo("SUCCEEDED"))
        .body("step", equalTo(2));
    assertTrue(
        Files.isRegularFile(store.root().resolve("base-models/gpt2-medium/model.safetensors")));

    try (NDManager m = NDManager.newBaseManager();
        LanguageModel base = HfCheckpoint.load(FakeHubResource.FIXTURE, m);
        LanguageModel tuned = HfCheckpoint.load(store.layout().model(id), m)) {
      assertFalse(
          base.parameters()
              .get("lm_head.weight")
              .contentEquals(tuned.parameters().get("lm_head.weight")),
          "finetuning changed the head");
      int[] prompt = Gpt2Tokenizer.get().encode("Below is an instruction");
      var generation =
          new Generator(tuned).generate(prompt, 5, 96, Sampler.greedy(), StopTokens.NONE);
      assertEquals(5, generation.generatedCount());
    }
  }
}
