package io.llmft.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.JobPolling;
import io.llmft.common.TestDatasets;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelFamily;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.checkpoint.PeftAdapters;
import io.llmft.models.checkpoint.PeftFixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Llama 3.2 and Qwen3 directories as base models: full finetune and LoRA re-tokenize the dataset
 * with the model's own tokenizer, pad with its end-of-text and save the model in its own layout
 * with its tokenizer beside it; directories that cannot be trained are refused naming the field.
 */
@QuarkusTest
class ModelFamiliesTrainingTest {
  private static final Path RESOURCES =
      Path.of("../models/src/test/resources").toAbsolutePath().normalize();
  private static final Path IMPORTS = Path.of("target/test-artifacts/imports").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject DatasetArtifacts datasets;
  @Inject ArtifactStore store;

  private String datasetId;

  @BeforeEach
  void dataset() {
    datasetId = "ds-" + UUID.randomUUID();
    TestDatasets.write(datasets, datasetId, 12, 4, 2);
  }

  private String train(String family, String extra) {
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"datasetId\": \""
                    + datasetId
                    + "\", \"baseModel\": {\"path\": \""
                    + RESOURCES.resolve(family)
                    + "\"}, \"epochs\": 1, \"batchSize\": 4, \"learningRate\": 0.001"
                    + extra
                    + "}")
            .post("/training-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/training-jobs/" + id, Duration.ofSeconds(120)));
    return id;
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-tiny", "qwen3-tiny"})
  void fullFinetuneSavesTheFamilysLayoutAndTokenizer(String family) throws Exception {
    String id = train(family, "");
    ModelFamily expected = family.startsWith("llama") ? ModelFamily.LLAMA : ModelFamily.QWEN3;
    given()
        .get("/training-jobs/" + id)
        .then()
        .body("family", equalTo(expected.modelType()))
        .body("modelId", equalTo(id));
    Path dir = store.layout().model(id);
    assertTrue(Files.isRegularFile(dir.resolve("tokenizer.json")), "the tokenizer goes along");
    JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
    assertEquals(expected.modelType(), config.get("model_type").asText());
    JsonNode original = JSON.readTree(RESOURCES.resolve(family).resolve("config.json").toFile());
    assertEquals(original.get("tie_word_embeddings"), config.get("tie_word_embeddings"));
    assertEquals(original.get("eos_token_id"), config.get("eos_token_id"));
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel model = HfCheckpoint.load(dir, m)) {
      assertEquals(expected, model.family());
    }
  }

  @Test
  void loraOnLlamaAdaptsTheSevenProjectionsAndMergesOnSave() throws Exception {
    String id = train("llama-tiny", ", \"lora\": {\"rank\": 2, \"alpha\": 4}");
    // 2 layers x rank 2 x (q 64+64, k 64+32, v 64+32, o 64+64, gate 64+96, up 64+96, down 96+64)
    long expected = 2L * 2 * (128 + 96 + 96 + 128 + 160 + 160 + 160);
    given()
        .get("/training-jobs/" + id)
        .then()
        .body("trainableParameters", equalTo((int) expected))
        .body("lora.rank", equalTo(2));
    Path dir = store.layout().model(id);
    JsonNode lora = JSON.readTree(dir.resolve(HfCheckpoint.LORA_CONFIG_FILE).toFile());
    assertEquals("llama", lora.get("model_type").asText());
    assertTrue(Files.isRegularFile(dir.resolve(HfCheckpoint.LORA_FILE)));
    Path adapter = dir.resolve(HfCheckpoint.ADAPTER_DIR);
    assertTrue(PeftAdapters.holdsAdapter(adapter), "the PEFT adapter beside the merged model");
    assertEquals(RESOURCES.resolve("llama-tiny").toString(), PeftAdapters.baseModel(adapter));
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel merged = HfCheckpoint.load(dir, m);
        LanguageModel adapted = HfCheckpoint.load(RESOURCES.resolve("llama-tiny"), adapter, m)) {
      NDArray ids = m.create(new long[] {1, 5, 9, 2}, new Shape(1, 4));
      assertTrue(merged.forward(ids).allClose(adapted.forward(ids), 1e-4, 1e-4, false));
    }
  }

  /** A PEFT adapter of the fixtures under the import roots, its base named by absolute path. */
  /** A training job from this base directory is a 400 naming baseModel.path, saying why. */
  private void assertRefusedAsBase(String dir, String why) {
    given()
        .contentType(ContentType.JSON)
        .body("{\"datasetId\": \"" + datasetId + "\", \"baseModel\": {\"path\": \"" + dir + "\"}}")
        .post("/training-jobs")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("baseModel.path"))
        .body("errors.message", hasItem(containsString(why)));
  }

  static Path importedAdapter(String fixture, String name) throws Exception {
    String family = fixture.substring(0, fixture.indexOf('-'));
    return PeftFixtures.copy(
        RESOURCES.resolve("peft").resolve(fixture),
        IMPORTS.resolve(name),
        RESOURCES.resolve(family + "-tiny"),
        c -> {});
  }

  @Test
  void aPeftAdapterDirectoryIsABaseModelWithItsAdapterMergedIn() throws Exception {
    Path adapter = importedAdapter("qwen3-from-peft", "qwen3-adapter");
    String id = train(adapter.toString(), "");
    given().get("/training-jobs/" + id).then().body("family", equalTo("qwen3"));
  }

  @Test
  void adaptersTheSuiteCannotRunAreRefusedNamingTheField() throws Exception {
    Path dora = importedAdapter("llama-from-peft", "llama-dora-adapter");
    ObjectNode config = (ObjectNode) JSON.readTree(dora.resolve(PeftAdapters.CONFIG_FILE).toFile());
    JSON.writeValue(dora.resolve(PeftAdapters.CONFIG_FILE).toFile(), config.put("use_dora", true));
    Path orphan = importedAdapter("llama-from-peft", "llama-orphan-adapter");
    config = (ObjectNode) JSON.readTree(orphan.resolve(PeftAdapters.CONFIG_FILE).toFile());
    JSON.writeValue(
        orphan.resolve(PeftAdapters.CONFIG_FILE).toFile(),
        config.put("base_model_name_or_path", "no-such-model"));
    Path foreign = importedAdapter("gpt2-from-peft", "gpt2-adapter-on-llama");
    config = (ObjectNode) JSON.readTree(foreign.resolve(PeftAdapters.CONFIG_FILE).toFile());
    JSON.writeValue(
        foreign.resolve(PeftAdapters.CONFIG_FILE).toFile(),
        config.put("base_model_name_or_path", RESOURCES.resolve("llama-tiny").toString()));
    for (String[] c :
        new String[][] {
          {dora.toString(), "use_dora"},
          {orphan.toString(), "base_model_name_or_path 'no-such-model'"},
          {foreign.toString(), "trained on a gpt2 model"}
        }) {
      assertRefusedAsBase(c[0], c[1]);
    }
  }

  @Test
  void directoriesThatCannotBeTrainedAreRefusedBeforeAJobExists() throws Exception {
    Path unknown = Files.createDirectories(IMPORTS.resolve("family-unknown"));
    Files.writeString(unknown.resolve("config.json"), "{\"model_type\": \"mamba\"}");
    Files.write(unknown.resolve("model.safetensors"), new byte[0]);
    Path bare = Files.createDirectories(IMPORTS.resolve("llama-no-tokenizer"));
    Path llama = RESOURCES.resolve("llama-tiny");
    Files.copy(
        llama.resolve("config.json"),
        bare.resolve("config.json"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        llama.resolve("model.safetensors"),
        bare.resolve("model.safetensors"),
        StandardCopyOption.REPLACE_EXISTING);
    Path broken = Files.createDirectories(IMPORTS.resolve("llama-bad-config"));
    Files.writeString(
        broken.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": 64}");
    Files.write(broken.resolve("model.safetensors"), new byte[0]);
    Path foreign = Files.createDirectories(IMPORTS.resolve("llama-with-gpt2-adapters"));
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
      Files.copy(llama.resolve(f), foreign.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.writeString(
        foreign.resolve(HfCheckpoint.LORA_CONFIG_FILE),
        "{\"model_type\": \"gpt2\", \"rank\": 2, \"alpha\": 4}");
    for (String[] c :
        new String[][] {
          {unknown.toString(), "mamba"},
          {bare.toString(), "tokenizer.json"},
          {broken.toString(), "num_attention_heads"},
          {foreign.toString(), "trained on a gpt2 model"}
        }) {
      assertRefusedAsBase(c[0], c[1]);
    }
  }

  @Test
  void weightsWhoseShapesDoNotMatchTheConfigAreRefusedSayingWhich() throws Exception {
    Path wrong = Files.createDirectories(IMPORTS.resolve("llama-wrong-shape"));
    Path llama = RESOURCES.resolve("llama-tiny");
    for (String f : new String[] {"model.safetensors", "tokenizer.json"}) {
      Files.copy(llama.resolve(f), wrong.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    JsonNode config = JSON.readTree(llama.resolve("config.json").toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) config).put("intermediate_size", 128);
    JSON.writeValue(wrong.resolve("config.json").toFile(), config);
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"datasetId\": \"" + datasetId + "\", \"baseModel\": {\"path\": \"" + wrong + "\"}}")
        .post("/training-jobs")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("baseModel.path"))
        .body("errors.message", hasItem(containsString("but config.json makes it")))
        .body("errors.message", hasItem(containsString("128")));
  }
}
