package io.llmft.inference.openai;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.llmft.common.store.ArtifactStore;
import io.llmft.inference.TestModels;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code serving.max-model-len} bounds what a request may ask for below the model's context (96 for
 * the tiny GPT-2): beyond it a 400 names the parameter, as vLLM's {@code --max-model-len}; {@code
 * /tokenize} and {@code /v1/models} say the length served.
 */
@QuarkusTest
@TestProfile(MaxModelLenTest.Short.class)
class MaxModelLenTest {
  public static class Short implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("serving.max-model-len", "48");
    }
  }

  @Inject ArtifactStore store;

  @Test
  void aRequestBeyondTheServedLengthIsA400NamingTheParameter() throws Exception {
    String model = TestModels.storeModel(store);
    String chat =
        "{\"model\": \"%s\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
            + " \"max_tokens\": %d, \"temperature\": 0}";
    given()
        .contentType(ContentType.JSON)
        .body(chat.formatted(model, 40))
        .post("/v1/chat/completions")
        .then()
        .statusCode(400)
        .body("error.param", equalTo("max_tokens"))
        .body("error.code", equalTo("context_length_exceeded"))
        .body("error.message", containsString("maximum context length is 48 tokens"));
    given()
        .contentType(ContentType.JSON)
        .body(chat.formatted(model, 2))
        .post("/v1/chat/completions")
        .then()
        .statusCode(200);
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": \"" + model + "\", \"prompt\": \"Hi\"}")
        .post("/tokenize")
        .then()
        .statusCode(200)
        .body("max_model_len", equalTo(48));
    given().get("/v1/models/" + model).then().statusCode(200).body("max_model_len", equalTo(48));
  }
}
