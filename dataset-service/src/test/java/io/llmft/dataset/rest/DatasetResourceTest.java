package io.llmft.dataset.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.llmft.common.JobPolling;
import io.llmft.common.store.ArtifactStore;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DatasetResourceTest {
  /** A local port that downloads.allowed-urls admits in the tests (application.properties). */
  static final int ALLOWED_PORT = 18965;

  @Inject ArtifactStore store;

  /** POSTs a dataset job that must be accepted; its id. */
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

  private static String awaitStatus(String id, String status) {
    assertEquals(status, JobPolling.awaitEnd("/datasets/" + id, Duration.ofSeconds(60)));
    return id;
  }

  @Test
  void builtinDatasetIsSplitAsTheBook() {
    String id =
        given()
            .contentType(ContentType.JSON)
            .body("{\"name\": \"book\", \"source\": {\"builtin\": \"instruction-data\"}}")
            .post("/datasets")
            .then()
            .statusCode(202)
            .header("Location", containsString("/datasets/"))
            .body("status", equalTo("PENDING"))
            .extract()
            .path("id");
    awaitStatus(id, "SUCCEEDED");
    given()
        .get("/datasets/" + id)
        .then()
        .body("counts.train", equalTo(935))
        .body("counts.test", equalTo(110))
        .body("counts.validation", equalTo(55))
        .body("total", equalTo(1100))
        .body("rejected", hasSize(0))
        .body("tokenStats.overAllowedMaxLength", equalTo(0));
    given()
        .get("/datasets/" + id + "/entries/test")
        .then()
        .statusCode(200)
        .body("$", hasSize(110))
        .body("[0].instruction", equalTo("Rewrite the sentence using a simile."));
    given().get("/datasets/" + id + "/entries/validation").then().body("$", hasSize(55));
  }

  @Test
  void reportsTheBooksNearDuplicatesAndListsThem() {
    String id =
        awaitStatus(accepted("{\"source\": {\"builtin\": \"instruction-data\"}}"), "SUCCEEDED");
    given()
        .get("/datasets/" + id)
        .then()
        .body("duplicates.threshold", equalTo(0.9f))
        .body("duplicates.keys", equalTo(List.of("instruction", "input", "output")))
        .body("duplicates.nearPairs.instruction", equalTo(441))
        .body("duplicates.nearPairs.input", equalTo(15))
        .body("duplicates.nearPairs.output", equalTo(1))
        .body("duplicates.exactGroups", equalTo(0))
        .body("duplicates.truncated", hasSize(0))
        .body("duplicates.dropped", equalTo(0));
    given()
        .get("/datasets/" + id + "/duplicates")
        .then()
        .statusCode(200)
        .body("near.instruction", hasSize(441))
        .body("near.instruction[0].first", equalTo(0))
        .body("near.instruction[0].second", equalTo(593))
        .body("near.output", hasSize(1))
        .body("dropped", hasSize(0));
  }

  @Test
  void dropsNearDuplicatesByInputAndOutputBeforeTheSplit() {
    String id =
        awaitStatus(
            accepted(
                "{\"source\": {\"builtin\": \"instruction-data\"}, \"duplicates\": {\"drop\": [\"input\", \"output\"]}}"),
            "SUCCEEDED");
    // 1,100 - 15 dropped = 1,085 kept: int(1085 * 0.85) train, int(1085 * 0.10) test
    given()
        .get("/datasets/" + id)
        .then()
        .body("duplicates.dropped", equalTo(15))
        .body("counts.train", equalTo(922))
        .body("counts.test", equalTo(108))
        .body("counts.validation", equalTo(55))
        .body("rejected", hasSize(0));
    given()
        .get("/datasets/" + id + "/duplicates")
        .then()
        .body("dropped[0].index", equalTo(238))
        .body("dropped[0].keptIndex", equalTo(148));
    String builtin =
        accepted(
            "{\"source\": {\"builtin\": \"instruction-data\"}, \"duplicates\": {\"keys\": []}}");
    awaitStatus(builtin, "SUCCEEDED");
    given().get("/datasets/" + builtin).then().body("duplicates", nullValue());
    given()
        .get("/datasets/" + builtin + "/duplicates")
        .then()
        .statusCode(404)
        .body("detail", containsString("without a duplicate search"));
  }

  @Test
  void badDuplicateSettingsAreNamed() {
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"source\": {\"builtin\": \"instruction-data\"}, \"duplicates\": {\"threshold\": 1.5, \"keys\": [\"output\", \"output\"], \"drop\": [\"input\"], \"maxPairs\": 0}}")
        .post("/datasets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("duplicates.threshold"))
        .body("errors.field", hasItem("duplicates.keys"))
        .body("errors.field", hasItem("duplicates.drop"))
        .body("errors.field", hasItem("duplicates.maxPairs"));
  }

  @Test
  void theBooksPreferenceDataIsAPreferenceDatasetSplitAsTheBook() {
    String id = accepted("{\"source\": {\"builtin\": \"instruction-data-with-preference\"}}");
    awaitStatus(id, "SUCCEEDED");
    given()
        .get("/datasets/" + id)
        .then()
        .body("kind", equalTo("preference"))
        .body("counts.train", equalTo(935))
        .body("counts.test", equalTo(110))
        .body("counts.validation", equalTo(55));
    given().get("/datasets/" + id + "/entries/train").then().body("[0].chosen", notNullValue());
  }

  @Test
  void preferenceRowsNeedBothResponsesAsStringsAndAnyOtherRowMakesItInstruction() {
    String preference =
        """
        {"jobId": "%s", "entries": [
          {"instruction": "Say hi.", "chosen": "Hello!", "rejected": "What?"},
          {"instruction": "Add.", "input": "1+1", "output": "2", "chosen": "2.", "rejected": "Two, obviously."},
          {"instruction": "Name a color.", "chosen": "Blue."},
          {"instruction": "Count.", "chosen": 3, "rejected": "no"},
          {"instruction": "Wave.", "output": "Hi", "rejected": "Go away."}]}
        """
            .formatted("ds-pref-" + UUID.randomUUID());
    String id = accepted(preference);
    awaitStatus(id, "SUCCEEDED");
    given()
        .get("/datasets/" + id)
        .then()
        .body("kind", equalTo("preference"))
        .body("rejected.index", equalTo(List.of(2, 3, 4)))
        .body("rejected[0].reason", containsString("rejected"))
        .body("rejected[1].reason", containsString("chosen: must be a string"))
        .body("rejected[2].reason", containsString("chosen"));
    String mixed =
        """
        {"jobId": "%s", "entries": [
          {"instruction": "Say hi.", "chosen": "Hello!", "rejected": "What?"},
          {"instruction": "Add.", "input": "1+1", "output": "2"}]}
        """
            .formatted("ds-mixed-" + UUID.randomUUID());
    String mixedId = awaitStatus(accepted(mixed), "SUCCEEDED");
    given().get("/datasets/" + mixedId).then().body("kind", equalTo("instruction"));
  }

  @Test
  void inlineEntriesKeepExtraFieldsAcceptMissingInputAndReportInvalidOnes() {
    String body =
        """
        {"jobId": "%s", "split": {"train": 0.5, "test": 0.25}, "entries": [
          {"instruction": "Say hi.", "output": "Hi.", "topic": "greeting"},
          {"instruction": "Add.", "input": "1+1", "output": "2"},
          {"instruction": "", "output": "nothing"},
          {"instruction": "Name a color.", "input": "", "output": "Blue."},
          "not an object",
          {"instruction": "Count.", "input": "1 2", "output": "2"}]}
        """
            .formatted("ds-inline-" + UUID.randomUUID());
    String id = accepted(body);
    awaitStatus(id, "SUCCEEDED");
    given()
        .get("/datasets/" + id)
        .then()
        .body("counts.train", equalTo(2))
        .body("counts.test", equalTo(1))
        .body("counts.validation", equalTo(1))
        .body("rejected.index", equalTo(java.util.List.of(2, 4)))
        .body("rejected[0].reason", containsString("instruction"));
    given()
        .get("/datasets/" + id + "/entries/train")
        .then()
        .body("[0].topic", equalTo("greeting"))
        .body("[0].input", equalTo(null));
  }

  @Test
  void alpaca52kSizedSourcesAreStreamedAndSplit() throws Exception {
    java.nio.file.Path file =
        store.layout().imports().resolve("alpaca-" + UUID.randomUUID() + ".json");
    java.nio.file.Files.createDirectories(file.getParent());
    try (var out = java.nio.file.Files.newBufferedWriter(file)) {
      out.write("[");
      for (int i = 0; i < 52_000; i++) {
        out.write(
            (i == 0 ? "" : ",")
                + "{\"instruction\": \"Add "
                + i
                + " and 1.\", \"input\": \"\", \"output\": \""
                + (i + 1)
                + "\"}");
      }
      out.write("]");
    }
    String id = accepted("{\"source\": {\"path\": \"" + file + "\"}, \"allowedMaxLength\": 512}");
    JobPolling.awaitEnd("/datasets/" + id, Duration.ofSeconds(180));
    given()
        .get("/datasets/" + id)
        .then()
        .body("status", equalTo("SUCCEEDED"))
        .body("counts.train", equalTo(44_200))
        .body("counts.test", equalTo(5_200))
        .body("counts.validation", equalTo(2_600))
        .body("allowedMaxLength", equalTo(512))
        // the tests' duplicate-search budget keeps 1,500 entries: the search stops, not the job
        .body("duplicates.stopped.budget", equalTo("entries"))
        .body("duplicates.stopped.entries", equalTo(1_500));
    given()
        .get("/datasets/" + id + "/entries/test")
        .then()
        .body("$", hasSize(5_200))
        .body("[0].instruction", equalTo("Add 44200 and 1."));
  }

  @Test
  void missingSourceIsAProblemNamingTheField() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"name\": \"x\"}")
        .post("/datasets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("status", equalTo(400))
        .body("title", equalTo("Invalid request"))
        .body("errors.field", hasItem("source"));
  }

  @Test
  void invalidFieldsAreAllNamed() {
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"source\": {\"builtin\": \"nope\"}, \"promptStyle\": \"chatml\", \"allowedMaxLength\": 0, \"split\": {\"train\": 0.9, \"test\": 0.2}}")
        .post("/datasets")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("source.builtin"))
        .body("errors.field", hasItem("promptStyle"))
        .body("errors.field", hasItem("allowedMaxLength"))
        .body("errors.field", hasItem("split"));
  }

  @Test
  void unknownAndMistypedFieldsAreNamed() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"source\": {\"builtin\": \"instruction-data\"}, \"nmae\": 1}")
        .post("/datasets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors[0].field", equalTo("nmae"));
    given()
        .contentType(ContentType.JSON)
        .body("{\"source\": {\"builtin\": \"instruction-data\"}, \"allowedMaxLength\": \"long\"}")
        .post("/datasets")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("allowedMaxLength"));
  }

  @Test
  void malformedJsonAndPathTraversalAreRefused() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"source\": ")
        .post("/datasets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    given()
        .contentType(ContentType.JSON)
        .body("{\"jobId\": \"../etc\", \"source\": {\"builtin\": \"instruction-data\"}}")
        .post("/datasets")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("jobId"));
  }

  @Test
  void unknownDatasetAndSplitAreProblems() {
    given()
        .get("/datasets/does-not-exist")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("detail", containsString("does-not-exist"));
    String id = accepted("{\"entries\": [{\"instruction\": \"a\", \"output\": \"b\"}]}");
    awaitStatus(id, "SUCCEEDED");
    given()
        .get("/datasets/" + id + "/entries/holdout")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("split"));
  }

  @Test
  void sameJobIdTwiceIsAConflict() {
    String id = "ds-dup-" + UUID.randomUUID();
    String body =
        "{\"jobId\": \"" + id + "\", \"entries\": [{\"instruction\": \"a\", \"output\": \"b\"}]}";
    given()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/datasets")
        .then()
        .statusCode(202)
        .header("Location", endsWith("/datasets/" + id));
    given().contentType(ContentType.JSON).body(body).post("/datasets").then().statusCode(409);
  }

  @Test
  void missingFileAndUnreachableUrlFailClearly() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"source\": {\"path\": \"/no/such/file.json\"}}")
        .post("/datasets")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("source.path"));
    String id = accepted("{\"source\": {\"url\": \"http://127.0.0.1:1/data.json\"}}");
    awaitStatus(id, "FAILED");
    given().get("/datasets/" + id).then().body("error", containsString("127.0.0.1"));
  }

  /** A source whose first transfer breaks off half way resumes with a range request. */
  @Test
  void aUrlSourceWhoseTransferBreaksOffResumesWithinTheJob() throws Exception {
    byte[] data;
    try (var in = getClass().getResourceAsStream("/datasets/instruction-data.json")) {
      data = in.readAllBytes();
    }
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", ALLOWED_PORT), 0);
    server.createContext(
        "/data.json",
        ex -> {
          String range = ex.getRequestHeaders().getFirst("Range");
          requests.add(range == null ? "whole" : range);
          int from = range == null ? 0 : Integer.parseInt(range.replaceAll("[^0-9]", ""));
          if (from > 0) {
            ex.getResponseHeaders()
                .add(
                    "Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
          }
          ex.sendResponseHeaders(from > 0 ? 206 : 200, data.length - from);
          if (requests.size() == 1) {
            ex.getResponseBody().write(data, 0, data.length / 2);
            ex.getResponseBody().flush();
            throw new IOException("transfer broken off on purpose");
          }
          ex.getResponseBody().write(data, from, data.length - from);
          ex.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + ALLOWED_PORT + "/data.json";
      String id = accepted("{\"source\": {\"url\": \"" + url + "\"}}");
      awaitStatus(id, "SUCCEEDED");
      given()
          .get("/datasets/" + id)
          .then()
          .body("counts.train", equalTo(935))
          .body("download", containsString("download attempt 1 of 5 failed"));
      // the second request resumes from what arrived (at most the half the server sent)
      assertEquals(2, requests.size(), requests.toString());
      assertEquals("whole", requests.get(0));
      int from = Integer.parseInt(requests.get(1).replaceAll("[^0-9]", ""));
      assertTrue(from > 0 && from <= data.length / 2, requests.toString());
    } finally {
      server.stop(0);
    }
  }

  /**
   * Local paths only under the allowed import roots, symlinks followed; a refused path is told the
   * same whether or not it exists, and no job is created.
   */
  @Test
  void pathsOutsideTheAllowedRootsAreRefusedAlike() throws Exception {
    java.nio.file.Path imports = store.layout().imports();
    java.nio.file.Files.createDirectories(imports);
    java.nio.file.Path escape = imports.resolve("escape-" + UUID.randomUUID() + ".json");
    java.nio.file.Files.createSymbolicLink(escape, java.nio.file.Path.of("/etc/passwd"));
    List<String> refused =
        List.of(
            "/etc/passwd",
            "/etc/shadow-nope",
            "/proc/self/environ",
            imports + "/../../../pom.xml",
            escape.toString());
    String message = null;
    for (String path : refused) {
      String detail =
          given()
              .contentType(ContentType.JSON)
              .body("{\"source\": {\"path\": \"" + path + "\"}}")
              .post("/datasets")
              .then()
              .statusCode(400)
              .contentType("application/problem+json")
              .body("errors[0].field", equalTo("source.path"))
              .extract()
              .path("errors[0].message");
      if (message != null) {
        assertEquals(message, detail, "the same answer whether the file exists or not: " + path);
      }
      message = detail;
    }
    assertTrue(message.contains("allowed import roots"), message);
  }
}
