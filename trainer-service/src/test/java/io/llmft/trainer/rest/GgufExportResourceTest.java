package io.llmft.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.llmft.common.TestAuth;
import io.llmft.common.store.ArtifactStore;
import io.llmft.models.gguf.GgufExport;
import io.llmft.models.gguf.GgufType;
import io.llmft.trainer.service.TrainingState;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code GET /models/{id}/gguf} and {@code /modelfile}: a model of the store for llama.cpp. */
@QuarkusTest
class GgufExportResourceTest {
  private static final Path RESOURCES =
      Path.of("../models/src/test/resources").toAbsolutePath().normalize();

  @Inject ArtifactStore store;

  /** A model in the store as a finished training job leaves it: the fixture's files. */
  private String storedModel(String fixture) throws Exception {
    String id = "ft-" + UUID.randomUUID();
    Path dir = Files.createDirectories(store.layout().model(id));
    for (String file : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
      Path source = RESOURCES.resolve(fixture).resolve(file);
      if (Files.isRegularFile(source)) {
        Files.copy(source, dir.resolve(file));
      }
    }
    return id;
  }

  @Test
  void aModelStreamsAsTheGgufItsExportWrites() throws Exception {
    String id = storedModel("qwen3-tiny");
    byte[] body =
        given()
            .queryParam("type", "q8_0")
            .get("/models/" + id + "/gguf")
            .then()
            .statusCode(200)
            .contentType("application/octet-stream")
            .header("Content-Disposition", containsString("filename=\"" + id + "-q8_0.gguf\""))
            .extract()
            .asByteArray();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    GgufExport.write(store.layout().model(id), GgufType.Q8_0, id, expected);
    assertArrayEquals(expected.toByteArray(), body);

    given()
        .header("Authorization", TestAuth.bearer(TestAuth.VIEWER_KEY))
        .get("/models/" + id + "/gguf")
        .then()
        .statusCode(200)
        .header("Content-Disposition", containsString(id + "-f16.gguf"));
  }

  @Test
  void unknownTypesModelsAndModelsBeingWrittenAreProblems() throws Exception {
    String id = storedModel("gpt2-tiny");
    given()
        .queryParam("type", "q4_k")
        .get("/models/" + id + "/gguf")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors[0].field", equalTo("type"))
        .body("detail", containsString("f32, f16, bf16, q8_0"));
    given()
        .get("/models/nope-" + UUID.randomUUID() + "/gguf")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");

    // a first save under way: its version is on disk, its link not yet
    String writing = "ft-" + UUID.randomUUID();
    Files.createDirectories(
        store.layout().models().resolve("." + writing + ".v-000000000000001-x"));
    given()
        .get("/models/" + writing + "/gguf")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("detail", containsString("still being written"));
    given().get("/models/" + writing + "/modelfile").then().statusCode(409);
  }

  @Test
  void theModelfileRunsTheExportInTheFormatTheModelWasTrainedIn() throws Exception {
    String gpt2 = storedModel("gpt2-tiny");
    given()
        .queryParam("type", "q8_0")
        .get("/models/" + gpt2 + "/modelfile")
        .then()
        .statusCode(200)
        .contentType(startsWith("text/plain"))
        .body(startsWith("FROM ./" + gpt2 + "-q8_0.gguf\nTEMPLATE \"\"\""))
        .body(containsString("### Instruction:\n{{ .Prompt }}"))
        .body(containsString("SYSTEM \"\"\"Below is an instruction"))
        .body(containsString("PARAMETER stop \"<|endoftext|>\""));

    TrainingState phi3 = new TrainingState();
    phi3.promptStyle = "phi3";
    store.writeJson(store.layout().modelTrainingRecord(gpt2), phi3);
    given()
        .get("/models/" + gpt2 + "/modelfile")
        .then()
        .statusCode(200)
        .body(containsString("<|user|>\n{{ .Prompt }}\n<|assistant|>:\n"));

    String qwen = storedModel("qwen3-tiny");
    given()
        .get("/models/" + qwen + "/modelfile")
        .then()
        .statusCode(200)
        .body(containsString("<|im_start|>user\n{{ .Prompt }}<|im_end|>"))
        .body(containsString("PARAMETER stop \"<|im_end|>\""));
  }
}
