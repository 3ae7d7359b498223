package io.llmft.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llmft.common.store.ArtifactStore;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelWeights;
import io.llmft.models.Precision;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.checkpoint.PeftAdapters;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /models/{id}/merge}: a LoRA model's base with its PEFT adapter merged in becomes a
 * new model with the adapter model's logits; a model without an adapter, or one being written, is
 * refused.
 */
@QuarkusTest
class ModelMergeTest {
  private static final Path RESOURCES =
      Path.of("../models/src/test/resources").toAbsolutePath().normalize();
  private static final Path BASE = RESOURCES.resolve("llama-tiny");

  @Inject ArtifactStore store;

  /** A LoRA model of the store, as a job saves one: merged weights and adapter/ beside them. */
  private String loraModel() throws Exception {
    String id = "lora-" + UUID.randomUUID();
    try (NDManager m = NDManager.newBaseManager()) {
      ModelWeights weights = HfCheckpoint.loadWeights(BASE, m);
      var lora =
          PeftAdapters.read(
              RESOURCES.resolve("peft/llama-suite"), weights.config(), weights.manager());
      try (LanguageModel model = weights.build(Precision.FP32, lora)) {
        HfCheckpoint.save(
            model,
            HfCheckpoint.tokenizer(BASE, model.config()),
            store.layout().model(id),
            () -> {},
            BASE.toString());
      }
    }
    return id;
  }

  @Test
  void mergingWritesANewModelWithTheAdapterModelsLogits() throws Exception {
    String id = loraModel();
    String location =
        given()
            .post("/models/" + id + "/merge")
            .then()
            .statusCode(201)
            .header("Location", containsString("/models/" + id + "-merged-"))
            .body("id", containsString(id + "-merged-"))
            .extract()
            .header("Location");
    String merged = location.substring(location.lastIndexOf('/') + 1);
    Path dir = store.layout().model(merged);
    assertFalse(Files.exists(dir.resolve(HfCheckpoint.ADAPTER_DIR)), "a plain model");
    Path adapter = store.layout().model(id).resolve(HfCheckpoint.ADAPTER_DIR);
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel plain = HfCheckpoint.load(dir, m);
        LanguageModel adapted = HfCheckpoint.load(BASE, adapter, m)) {
      NDArray ids = m.create(new long[] {3, 1, 4, 1, 5}, new Shape(1, 5));
      assertTrue(plain.forward(ids).allClose(adapted.forward(ids), 1e-4, 1e-4, false));
    }
    given().get("/models/" + merged).then().statusCode(200).body("id", equalTo(merged));
  }

  @Test
  void aModelWithoutAnAdapterIsRefusedNamingTheField() throws Exception {
    String id = "plain-" + UUID.randomUUID();
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel model = HfCheckpoint.load(BASE, m)) {
      HfCheckpoint.save(
          model, HfCheckpoint.tokenizer(BASE, model.config()), store.layout().model(id));
    }
    given()
        .post("/models/" + id + "/merge")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("id"))
        .body("errors.message", hasItem(containsString("has no LoRA adapter")));
    given().post("/models/no-such-model/merge").then().statusCode(404);
  }

  @Test
  void aModelBeingWrittenIsAConflict() throws Exception {
    String id = loraModel();
    Path dir = store.layout().model(id);
    // a save begun after the shown version and not switched to yet
    Files.createDirectories(
        dir.getParent().resolve("." + id + ".v-999999999999999-" + UUID.randomUUID()));
    given()
        .post("/models/" + id + "/merge")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("detail", endsWith("is still being written"))
        .body("detail", containsString("id: "));
  }
}
