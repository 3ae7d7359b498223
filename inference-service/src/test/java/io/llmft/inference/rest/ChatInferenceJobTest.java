package io.llmft.inference.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.JobPolling;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.inference.TestModels;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An inference job on a chat dataset answers each test conversation's last user turn: the
 * conversation through it in the model's template with the generation prompt, the answer what
 * {@code /v1/chat/completions} gives the same messages greedily.
 */
@QuarkusTest
class ChatInferenceJobTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject ArtifactStore store;
  @Inject DatasetArtifacts datasets;

  private String chatDataset() throws Exception {
    List<JsonNode> test =
        List.of(
            JSON.readTree(
                "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                    + " {\"role\": \"user\", \"content\": \"Name a colour.\"},"
                    + " {\"role\": \"assistant\", \"content\": \"Blue.\"}]}"),
            JSON.readTree(
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"},"
                    + " {\"role\": \"assistant\", \"content\": \"Hello!\"},"
                    + " {\"role\": \"user\", \"content\": \"Bye\"},"
                    + " {\"role\": \"assistant\", \"content\": \"Goodbye.\"}]}"));
    String id = "chat-" + UUID.randomUUID();
    datasets.write(
        new DatasetArtifacts.Manifest(
            id,
            id,
            null,
            1024,
            Map.of("train", 0, "validation", 0, "test", 2),
            DatasetArtifacts.INSTRUCTION,
            "chat"),
        Map.of("train", List.of(), "validation", List.of(), "test", test));
    return id;
  }

  @Test
  void eachConversationsLastUserTurnIsAnsweredAsTheChatEndpointAnswersIt() throws Exception {
    String model = TestModels.storeQwen3Chat(store);
    String dataset = chatDataset();
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"model\": \""
                    + model
                    + "\", \"datasetId\": \""
                    + dataset
                    + "\", \"maxNewTokens\": 5, \"batchSize\": 2}")
            .post("/inference-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/inference-jobs/" + id, Duration.ofSeconds(60)));
    JsonNode responses =
        JSON.readTree(
            given().get("/inference-jobs/" + id + "/responses").then().extract().asString());
    assertEquals(2, responses.size());
    for (JsonNode row : responses) {
      JsonNode messages = row.get("messages");
      List<JsonNode> asked = new java.util.ArrayList<>();
      for (int i = 0; i < messages.size() - 1; i++) {
        asked.add(messages.get(i)); // through the last user turn: the rows end with the answer
      }
      String expected =
          given()
              .contentType(ContentType.JSON)
              .body(
                  "{\"model\": \""
                      + model
                      + "\", \"max_tokens\": 5, \"temperature\": 0, \"messages\": "
                      + JSON.writeValueAsString(asked)
                      + "}")
              .post("/v1/chat/completions")
              .then()
              .statusCode(200)
              .extract()
              .path("choices[0].message.content");
      assertEquals(expected.strip(), row.get("model_response").asText());
    }
  }

  @Test
  void aModelWithoutAChatTemplateIsRefusedForAChatDataset() throws Exception {
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": \""
                + TestModels.storeModel(store)
                + "\", \"datasetId\": \""
                + chatDataset()
                + "\"}")
        .post("/inference-jobs")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("model"));
  }
}
