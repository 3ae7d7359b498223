package io.llmft.inference.openai;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmft.common.store.ArtifactStore;
import io.llmft.inference.TestModels;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * A Llama model served on {@code /v1} in Llama 3's chat format: the model list says its family, a
 * conversation of several turns is one prompt (begin-of-text, a header and {@code <|eot_id|>} per
 * turn, the assistant's header last), and generation stops at any of its eos ids.
 */
@QuarkusTest
class LlamaChatTest {
  @Inject ArtifactStore store;

  @Test
  void aConversationIsPromptedInLlama3sChatFormat() throws Exception {
    String model = TestModels.storeLlama(store, "llama3");
    given()
        .get("/v1/models/" + model)
        .then()
        .statusCode(200)
        .body("family", equalTo("llama"))
        .body("prompt_style", equalTo("llama3"));
    String conversation =
        "<|start_header_id|>system<|end_header_id|>\\n\\nBe brief.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\\n\\nName a color.<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\\n\\nRed.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\\n\\nAnother one.<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\\n\\n";
    int promptTokens =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"model\": {\"path\": \""
                    + TestModels.LLAMA
                    + "\"}, \"prompt\": \""
                    + conversation
                    + "\"}")
            .post("/tokenize")
            .then()
            .statusCode(200)
            .body("tokens[0]", equalTo(380))
            .extract()
            .path("count");
    String body =
        "{\"model\": \""
            + model
            + "\", \"max_tokens\": 4, \"temperature\": 0, \"messages\": ["
            + "{\"role\": \"system\", \"content\": \"Be brief.\"},"
            + "{\"role\": \"user\", \"content\": \"Name a color.\"},"
            + "{\"role\": \"assistant\", \"content\": \"Red.\"},"
            + "{\"role\": \"user\", \"content\": \"Another one.\"}]}";
    int usage =
        given()
            .contentType(ContentType.JSON)
            .body(body)
            .post("/v1/chat/completions")
            .then()
            .statusCode(200)
            .body("object", equalTo("chat.completion"))
            .extract()
            .path("usage.prompt_tokens");
    assertEquals(promptTokens, usage, "the chat's prompt is the conversation in Llama 3's format");
    given().get("/v1/models").then().statusCode(200).body("data.family", hasItem("llama"));
  }

  @Test
  void anInstructCheckpointPlacedInTheStoreIsServedInItsChatFormat() throws Exception {
    String model = TestModels.storeLlama(store, "alpaca");
    java.nio.file.Files.delete(store.layout().modelTrainingRecord(model));
    given().get("/v1/models/" + model).then().body("prompt_style", equalTo("alpaca"));
    java.nio.file.Files.writeString(
        store.layout().model(model).resolve("tokenizer_config.json"),
        "{\"chat_template\": \"{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>' }}"
            + "{{ message['content'] }}{{ '<|eot_id|>' }}\"}");
    given().get("/v1/models/" + model).then().body("prompt_style", equalTo("llama3"));
  }

  @Test
  void anUnknownRoleIsRefusedNamingTheMessage() throws Exception {
    String model = TestModels.storeLlama(store, "llama3");
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": \""
                + model
                + "\", \"messages\": [{\"role\": \"narrator\", \"content\": \"x\"}]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(400)
        .body("error.param", equalTo("messages[0].role"));
  }
}
