package io.llmft.dataset.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmft.common.JobPolling;
import io.llmft.common.store.ArtifactStore;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Chat datasets: JSON Lines files of OpenAI messages and ShareGPT conversations, read into one
 * shape, counted by rows, turns and roles; broken lines and unusable rows rejected with their
 * reasons, the rest kept; bad settings a 400 naming the field.
 */
@QuarkusTest
class ChatDatasetTest {
  @Inject ArtifactStore store;

  private static String accepted(String body) {
    return given()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/datasets")
        .then()
        .statusCode(202)
        .extract()
        .path("id");
  }

  @Test
  void aJsonLinesFileOfMessagesAndShareGptRowsIsSplitInOneShape() throws Exception {
    Path file = store.layout().imports().resolve("chat-" + UUID.randomUUID() + ".jsonl");
    Files.createDirectories(file.getParent());
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 18; i++) {
      lines.append(
          i % 2 == 0
              ? "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                  + " {\"role\": \"user\", \"content\": \"Add "
                  + i
                  + " and 1.\"}, {\"role\": \"assistant\", \"content\": \""
                  + (i + 1)
                  + "\"}]}\n"
              : "{\"conversations\": [{\"from\": \"human\", \"value\": \"Double "
                  + i
                  + ".\"}, {\"from\": \"gpt\", \"value\": \""
                  + 2 * i
                  + "\"}, {\"from\": \"human\", \"value\": \"Thanks\"},"
                  + " {\"from\": \"gpt\", \"value\": \"You're welcome.\"}]}\n");
    }
    lines.append("{\"messages\": [{\"role\": \"user\", \"content\": \"No answer\"}]}\n");
    lines.append("{not json\n\n");
    lines.append("{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}\n");
    lines.append("[1, 2]\n");
    Files.writeString(file, lines);
    String id = accepted("{\"source\": {\"path\": \"" + file + "\"}, \"format\": \"chat\"}");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/datasets/" + id, Duration.ofSeconds(60)));
    given()
        .get("/datasets/" + id)
        .then()
        .body("format", equalTo("chat"))
        .body("kind", equalTo("instruction"))
        .body("total", equalTo(22))
        .body("chat.rows", equalTo(18))
        .body("chat.turns", equalTo(9 * 3 + 9 * 4))
        .body("chat.roles.system", equalTo(9))
        .body("chat.roles.user", equalTo(9 + 18))
        .body("chat.roles.assistant", equalTo(9 + 18))
        .body("rejected", hasSize(4))
        .body("rejected[0].index", equalTo(18))
        .body("rejected[0].reason", containsString("no assistant turn"))
        .body("rejected[1].reason", equalTo("line 20: not a JSON object"))
        .body("rejected[2].reason", containsString("messages[0].role: unknown role"))
        .body("rejected[3].reason", equalTo("line 23: not a JSON object"))
        .body("counts.train", equalTo(15))
        .body("tokenStats", equalTo(null));
    given()
        .get("/datasets/" + id + "/entries/train")
        .then()
        .body("[1].messages[0].role", equalTo("user"))
        .body("[1].messages[1].role", equalTo("assistant"))
        .body("[1].messages[1].content", equalTo("2"))
        .body("[0].messages[2].content", equalTo("1"));
  }

  @Test
  void conversationalPreferenceRowsMakeAPreferenceChatDataset() {
    String id =
        accepted(
            "{\"format\": \"chat\", \"entries\": ["
                + "{\"prompt\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"chosen\": [{\"role\": \"assistant\", \"content\": \"Hello!\"}],"
                + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"Go away.\"}]},"
                + "{\"conversations\": [{\"from\": \"human\", \"value\": \"Bye\"}],"
                + " \"chosen\": {\"from\": \"gpt\", \"value\": \"Goodbye!\"},"
                + " \"rejected\": {\"from\": \"gpt\", \"value\": \"Whatever.\"}},"
                + "{\"prompt\": \"Thanks\", \"chosen\": \"You're welcome.\"}]}");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/datasets/" + id, Duration.ofSeconds(60)));
    given()
        .get("/datasets/" + id)
        .then()
        .body("kind", equalTo("preference"))
        .body("chat.rows", equalTo(2))
        .body("chat.roles.assistant", equalTo(4))
        .body("rejected[0].reason", containsString("rejected: a preference row needs both"));
  }

  @Test
  void chatSettingsAreCheckedBeforeTheJobRuns() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"format\": \"sharegpt\", \"entries\": [{\"messages\": []}]}")
        .post("/datasets")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("format"));
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"format\": \"chat\", \"promptStyle\": \"alpaca\", \"entries\": [{\"messages\": []}]}")
        .post("/datasets")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("promptStyle"));
  }
}
