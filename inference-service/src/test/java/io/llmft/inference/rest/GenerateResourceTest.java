package io.llmft.inference.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import io.llmft.contract.InstructionEntry;
import io.llmft.models.LanguageModel;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.llmft.text.Gpt2Tokenizer;
import io.llmft.text.PromptStyle;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GenerateResourceTest {
  static final Path FIXTURE =
      Path.of("../models/src/test/resources/gpt2-tiny").toAbsolutePath().normalize();
  private static final String MODEL = "{\"path\": \"" + FIXTURE + "\"}";

  @Test
  void greedyGenerationIsTheBooksGenerateAndExtraction() throws Exception {
    var entry =
        new InstructionEntry(
            "Rewrite the sentence using a simile.", "The baby is very cute.", null);
    String expected;
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel model = HfCheckpoint.load(FIXTURE, m)) {
      String prompt = PromptStyle.ALPACA.formatInput(entry);
      var tokenizer = Gpt2Tokenizer.get();
      var generation =
          new Generator(model)
              .generate(tokenizer.encode(prompt), 6, 96, Sampler.greedy(), StopTokens.of(50256));
      expected =
          tokenizer
              .decode(generation.tokens())
              .substring(prompt.length())
              .replace("### Response:", "")
              .strip();
    }
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": "
                + MODEL
                + ", \"instruction\": \""
                + entry.instruction()
                + "\", \"input\": \""
                + entry.input()
                + "\", \"maxNewTokens\": 6}")
        .post("/generate")
        .then()
        .statusCode(200)
        .body("response", equalTo(expected))
        .body("generatedTokens", equalTo(6))
        .body("finishReason", equalTo("length"));
  }

  @Test
  void seededSamplingIsRepeatable() {
    String body =
        "{\"model\": "
            + MODEL
            + ", \"instruction\": \"Name a color.\", \"maxNewTokens\": 8, \"temperature\": 1.5, \"topK\": 20, \"seed\": 42}";
    String first =
        given()
            .contentType(ContentType.JSON)
            .body(body)
            .post("/generate")
            .then()
            .statusCode(200)
            .extract()
            .path("response");
    String second =
        given()
            .contentType(ContentType.JSON)
            .body(body)
            .post("/generate")
            .then()
            .statusCode(200)
            .extract()
            .path("response");
    assertEquals(first, second);
  }

  @Test
  void invalidRequestsNameEveryField() {
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": {\"path\": \"/nowhere\"}, \"maxNewTokens\": 0, \"temperature\": -1, \"topK\": 0, \"promptStyle\": \"x\"}")
        .post("/generate")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body(
            "errors.field",
            hasItems(
                "model.path", "instruction", "maxNewTokens", "temperature", "topK", "promptStyle"));
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": \"no-such-model\", \"instruction\": \"x\"}")
        .post("/generate")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("model"));
  }

  /** Numbers past their bounds are a 400 naming the field, never a 500. */
  @Test
  void numbersPastTheirBoundsNameTheField() {
    for (String bad :
        List.of(
            "\"maxNewTokens\": 2000000000",
            "\"maxNewTokens\": 97",
            "\"temperature\": 1e308",
            "\"topK\": 2147483647",
            "\"topK\": -1")) {
      String field = bad.substring(1, bad.indexOf('"', 1));
      given()
          .contentType(ContentType.JSON)
          .body("{\"model\": " + MODEL + ", \"instruction\": \"Name a color.\", " + bad + "}")
          .post("/generate")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("errors.field", equalTo(List.of(field)));
    }
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": " + MODEL + ", \"instruction\": \"" + "x".repeat(20_001) + "\"}")
        .post("/generate")
        .then()
        .statusCode(400)
        .body("errors.field", equalTo(List.of("instruction")));
  }
}
