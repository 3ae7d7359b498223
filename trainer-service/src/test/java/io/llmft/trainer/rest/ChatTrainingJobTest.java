package io.llmft.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.JobPolling;
import io.llmft.common.TestDatasets;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.models.Safetensors;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A training job on a chat dataset: the tiny Qwen3 with Qwen3's real chat template learns the
 * assistant turns of multi-turn rows and ends with the weights of transformers' reference run
 * (tools/golden/chat_training.py); the saved model keeps the template; bad combinations are 400s.
 */
@QuarkusTest
class ChatTrainingJobTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path GOLDEN =
      Path.of("../training/src/test/resources/chat-golden/qwen3").toAbsolutePath().normalize();
  private static final Path QWEN3 =
      Path.of("../models/src/test/resources/qwen3-tiny").toAbsolutePath().normalize();

  @Inject DatasetArtifacts datasets;
  @Inject ArtifactStore store;

  /** The tiny Qwen3 with Qwen3's template, under the import roots. */
  private Path chatModel() throws Exception {
    Path dir = store.layout().imports().resolve("qwen3-chat-" + UUID.randomUUID());
    Files.createDirectories(dir);
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
      Files.copy(QWEN3.resolve(f), dir.resolve(f));
    }
    Files.copy(GOLDEN.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    return dir;
  }

  /** The golden rows as a prepared chat dataset: all four in train, one in validation. */
  private String chatDataset() throws Exception {
    return chatDataset(1024);
  }

  /** The golden rows (65, 41, 58 and 62 ids in Qwen3's template) under a length limit. */
  private String chatDataset(int allowedMaxLength) throws Exception {
    JsonNode g = JSON.readTree(GOLDEN.resolve("golden.json").toFile());
    List<JsonNode> rows = new ArrayList<>();
    g.get("rows").forEach(r -> rows.add(JSON.createObjectNode().set("messages", r)));
    String id = "chat-" + UUID.randomUUID();
    Map<String, List<JsonNode>> splits = new LinkedHashMap<>();
    splits.put("train", rows);
    splits.put("validation", List.of(rows.get(1)));
    splits.put("test", List.of(rows.get(1)));
    Map<String, Integer> counts = new LinkedHashMap<>();
    splits.forEach((k, v) -> counts.put(k, v.size()));
    datasets.write(
        new DatasetArtifacts.Manifest(
            id, id, null, allowedMaxLength, counts, DatasetArtifacts.INSTRUCTION, "chat"),
        splits);
    return id;
  }

  private static String job(String datasetId, Path model, String extra) {
    return "{\"datasetId\": \""
        + datasetId
        + "\", \"baseModel\": {\"path\": \""
        + model
        + "\"}, \"learningRate\": 0.001, \"weightDecay\": 0.1, \"batchSize\": 4,"
        + " \"epochs\": 2, \"shuffle\": false, \"evalFreq\": 100, \"precision\": \"fp32\""
        + extra
        + "}";
  }

  /**
   * The saved model's weights equal the reference's within AdamW's float noise: every element to
   * 2e-4, all but 1/200 of a tensor (at least one) to 1e-6 (LlamaFamilyGoldenTest explains why).
   */
  private static void assertWithinAdamWNoise(Path expectedFile, Path model) throws Exception {
    Map<String, float[]> expected = new LinkedHashMap<>();
    Safetensors.forEach(expectedFile, (k, t) -> expected.put(k, t.data()));
    Map<String, float[]> actual = new LinkedHashMap<>();
    Safetensors.forEach(model.resolve("model.safetensors"), (k, t) -> actual.put(k, t.data()));
    for (Map.Entry<String, float[]> e : expected.entrySet()) {
      float[] a = actual.get(e.getKey());
      float[] x = e.getValue();
      int loose = 0;
      for (int i = 0; i < x.length; i++) {
        double d = Math.abs(a[i] - x[i]);
        assertTrue(d < 2e-4, e.getKey() + "[" + i + "] differs by " + d);
        loose += d > 1e-6 ? 1 : 0;
      }
      assertTrue(loose <= Math.max(1, x.length / 200), e.getKey() + ": " + loose + " beyond 1e-6");
    }
  }

  @Test
  void aJobOnMultiTurnRowsEndsWithTheReferenceWeightsAndKeepsTheTemplate() throws Exception {
    String dataset = chatDataset();
    Path model = chatModel();
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(job(dataset, model, ""))
            .post("/training-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/training-jobs/" + id, Duration.ofSeconds(120)));
    given()
        .get("/training-jobs/" + id)
        .then()
        .body("format", equalTo("chat"))
        .body("trainOn", equalTo("assistant"))
        .body("dropped.tooLong", equalTo(0))
        .body("dropped.unusable", equalTo(0))
        .body("step", equalTo(2))
        .body("samples[0].text", containsString("<|im_start|>assistant"));
    Path saved = store.layout().model(id);
    assertWithinAdamWNoise(GOLDEN.resolve("after-chat.safetensors"), saved);
    assertTrue(
        JSON.readTree(saved.resolve("tokenizer_config.json").toFile())
            .path("chat_template")
            .asText()
            .contains("<|im_start|>"),
        "the saved model keeps the template it learned");
  }

  @Test
  void rowsLongerThanTheLimitAreDroppedOrCutByTheJobsSetting() throws Exception {
    String dataset = chatDataset(50);
    Path model = chatModel();
    String dropped = run(job(dataset, model, ", \"maxSteps\": 1, \"batchSize\": 1"));
    given()
        .get("/training-jobs/" + dropped)
        .then()
        .body("dropped.tooLong", equalTo(3))
        .body("dropped.truncated", equalTo(0));
    String cut = run(job(dataset, model, ", \"maxSteps\": 1, \"longRows\": \"truncate\""));
    given()
        .get("/training-jobs/" + cut)
        .then()
        .body("dropped.tooLong", equalTo(0))
        .body("dropped.truncated", equalTo(3));
    given()
        .contentType(ContentType.JSON)
        .body(job(dataset, model, ", \"longRows\": \"wrap\""))
        .post("/training-jobs")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("longRows"));
  }

  private static String run(String body) {
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(body)
            .post("/training-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/training-jobs/" + id, Duration.ofSeconds(120)));
    return id;
  }

  @Test
  void chatSettingsAndBaseModelsAreCheckedBeforeTheJobRuns() throws Exception {
    String chat = chatDataset();
    Path model = chatModel();
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"datasetId\": \""
                + chat
                + "\", \"baseModel\": {\"path\": \""
                + Path.of("../models/src/test/resources/gpt2-tiny").toAbsolutePath().normalize()
                + "\"}}")
        .post("/training-jobs")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("baseModel"))
        .body("errors.message", hasItem(containsString("has no chat template")));
    given()
        .contentType(ContentType.JSON)
        .body(job(chat, model, ", \"trainOn\": \"users\""))
        .post("/training-jobs")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("trainOn"));
    given()
        .contentType(ContentType.JSON)
        .body(job(chat, model, ", \"method\": \"dpo\""))
        .post("/training-jobs")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("datasetId"))
        .body("errors.message", hasItem(containsString("preference dataset")));
    String alpaca = "alpaca-" + UUID.randomUUID();
    TestDatasets.write(datasets, alpaca, 8, 2, 2);
    given()
        .contentType(ContentType.JSON)
        .body(job(alpaca, model, ", \"trainOn\": \"all\", \"longRows\": \"truncate\""))
        .post("/training-jobs")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("trainOn"))
        .body("errors.field", hasItem("longRows"));
  }

  @Test
  void dpoOnConversationalPairsEndsWithTheReferenceWeights() throws Exception {
    Path golden = GOLDEN.resolveSibling("qwen3-dpo");
    JsonNode g = JSON.readTree(golden.resolve("golden.json").toFile());
    List<JsonNode> rows = new ArrayList<>();
    g.get("rows").forEach(rows::add);
    String dataset = "chat-pref-" + UUID.randomUUID();
    Map<String, List<JsonNode>> splits = new LinkedHashMap<>();
    splits.put("train", rows);
    splits.put("validation", rows);
    splits.put("test", List.of(rows.get(0)));
    Map<String, Integer> counts = new LinkedHashMap<>();
    splits.forEach((k, v) -> counts.put(k, v.size()));
    datasets.write(
        new DatasetArtifacts.Manifest(
            dataset, dataset, null, 1024, counts, DatasetArtifacts.PREFERENCE, "chat"),
        splits);
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(job(dataset, chatModel(), ", \"method\": \"dpo\", \"dpo\": {\"beta\": 0.1}"))
            .post("/training-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/training-jobs/" + id, Duration.ofSeconds(120)));
    given()
        .get("/training-jobs/" + id)
        .then()
        .body("format", equalTo("chat"))
        .body("skippedPairs", equalTo(0))
        .body("step", equalTo(2));
    assertWithinAdamWNoise(golden.resolve("after-dpo.safetensors"), store.layout().model(id));
  }

  @Test
  void aGpt2LearnsANamedTemplateAndKeepsIt() throws Exception {
    String dataset = chatDataset();
    Path gpt2 = Path.of("../models/src/test/resources/gpt2-tiny").toAbsolutePath().normalize();
    given()
        .contentType(ContentType.JSON)
        .body(job(dataset, gpt2, ", \"chatTemplate\": \"vicuna\""))
        .post("/training-jobs")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("chatTemplate"));
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(job(dataset, gpt2, ", \"chatTemplate\": \"chatml\", \"maxSteps\": 1"))
            .post("/training-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/training-jobs/" + id, Duration.ofSeconds(120)));
    JsonNode config =
        JSON.readTree(store.layout().model(id).resolve("tokenizer_config.json").toFile());
    assertTrue(config.path("chat_template").asText().contains("<|im_start|>"));
    assertEquals("<|im_end|>", config.path("chat_end_of_turn").asText());
  }
}
