package io.llmft.inference.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** vLLM's {@code /tokenize} and {@code /detokenize} over each family's own tokenizer. */
@QuarkusTest
class TokenizeResourceTest {
  static final Path LLAMA =
      Path.of("../models/src/test/resources/llama-tiny").toAbsolutePath().normalize();
  private static final Path IMPORTS = Path.of("target/test-artifacts/imports").toAbsolutePath();

  private static String model(Path dir) {
    return "{\"path\": \"" + dir + "\"}";
  }

  @Test
  void llamaTextIsEncodedWithItsTokenizerJsonBeginOfTextCounted() {
    String text = "Name the author of Pride and Prejudice.<|eot_id|>";
    List<Integer> ids =
        List.of(
            380, 45, 323, 68, 261, 260, 351, 71, 266, 274, 220, 47, 81, 339, 68, 340, 220, 47, 275,
            73, 84, 67, 72, 281, 13, 383);
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": " + model(LLAMA) + ", \"prompt\": \"" + text + "\"}")
        .post("/tokenize")
        .then()
        .statusCode(200)
        .body("tokens", equalTo(ids))
        .body("count", equalTo(26))
        .body("max_model_len", equalTo(96));
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": " + model(LLAMA) + ", \"tokens\": " + ids + "}")
        .post("/detokenize")
        .then()
        .statusCode(200)
        .body("prompt", equalTo("<|begin_of_text|>" + text));
  }

  @Test
  void gpt2KeepsItsBpeIds() {
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": " + model(GenerateResourceTest.FIXTURE) + ", \"prompt\": \"Hello world\"}")
        .post("/tokenize")
        .then()
        .statusCode(200)
        .body("tokens", equalTo(List.of(15496, 995)))
        .body("count", equalTo(2));
  }

  @Test
  void idsOutsideTheVocabularyAreNamed() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": " + model(LLAMA) + ", \"tokens\": [5, 384]}")
        .post("/detokenize")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("tokens[1]"));
  }

  /**
   * More ids than the model's context are refused as one error; as many bad ids as the context
   * holds give a problem of the first few and a count, not one error per id.
   */
  @Test
  void detokenizeIsBoundedByTheContextAndItsProblemByAFewErrors() {
    int context = 1 + TokenizeResourceTest.llamaContext();
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": " + model(LLAMA) + ", \"tokens\": " + repeat(0, context) + "}")
        .post("/detokenize")
        .then()
        .statusCode(400)
        .body("errors.field", equalTo(List.of("tokens")))
        .body("errors[0].message", containsString("context length"));
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": " + model(LLAMA) + ", \"tokens\": " + repeat(-1, context - 1) + "}")
        .post("/detokenize")
        .then()
        .statusCode(400)
        .body("errors.size()", equalTo(20))
        .body("detail", containsString("more errors"));
  }

  private static int llamaContext() {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(LLAMA.resolve("config.json").toFile())
          .path("max_position_embeddings")
          .asInt();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String repeat(int id, int n) {
    return java.util.Collections.nCopies(n, String.valueOf(id)).toString();
  }

  @Test
  void anUnknownFamilyOrAMissingTokenizerIsRefusedNamingTheModel() throws Exception {
    Path unknown = Files.createDirectories(IMPORTS.resolve("unknown-family"));
    Files.writeString(unknown.resolve("config.json"), "{\"model_type\": \"mamba\"}");
    Files.write(unknown.resolve("model.safetensors"), new byte[0]);
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": " + model(unknown) + ", \"prompt\": \"x\"}")
        .post("/tokenize")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("model.path"))
        .body("errors[0].message", containsString("mamba"));
    Path bare = Files.createDirectories(IMPORTS.resolve("llama-without-tokenizer"));
    Files.copy(LLAMA.resolve("config.json"), bare.resolve("config.json"), REPLACE);
    Files.copy(LLAMA.resolve("model.safetensors"), bare.resolve("model.safetensors"), REPLACE);
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": " + model(bare) + ", \"instruction\": \"Say hi.\", \"maxNewTokens\": 2}")
        .post("/generate")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("model.path"))
        .body("errors[0].message", containsString("tokenizer.json"));
  }

  @Test
  void aLlamaModelAnswersOnGenerateStoppingAtItsOwnEndOfText() {
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": "
                + model(LLAMA)
                + ", \"instruction\": \"Name a color.\", \"maxNewTokens\": 5,"
                + " \"promptStyle\": \"llama3\"}")
        .post("/generate")
        .then()
        .statusCode(200)
        .body("generatedTokens", org.hamcrest.Matchers.lessThanOrEqualTo(5));
  }

  private static final java.nio.file.CopyOption REPLACE =
      java.nio.file.StandardCopyOption.REPLACE_EXISTING;
}
