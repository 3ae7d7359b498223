package io.llmft.dataset.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.llmft.common.JobPolling;
import io.llmft.common.security.AuthCorpus;
import io.llmft.common.security.InputCorpus;
import io.llmft.common.store.ArtifactStore;
import io.llmft.contract.Topics;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * dataset-service's security corpus: who may call (AuthCorpus), which files and hosts a job may
 * reach, and the limits of every input; each refused case over REST and as a Kafka message.
 */
@QuarkusTest
class DatasetSecurityTest extends AuthCorpus {
  private static final int ALLOWED_PORT = 18965;
  private static final int UNLISTED_PORT = 18966;
  private static int casesRun;

  @Inject ArtifactStore store;

  @Override
  protected String collection() {
    return "/datasets";
  }

  @Override
  protected String validJob(String jobId) {
    return "{\"jobId\": \"" + jobId + "\", \"source\": {\"builtin\": \"instruction-data\"}}";
  }

  private final InputCorpus corpus = new InputCorpus("/datasets", Topics.DATASET_JOBS);

  @AfterAll
  static void report() {
    System.out.println("dataset-service security corpus: " + casesRun + " input cases refused");
  }

  private static String source(String kind, String value) {
    return "{\"jobId\": \"%ID%\", \"source\": {\"" + kind + "\": \"" + value + "\"}}";
  }

  @Test
  void pathsOutsideTheAllowedRootsAreRefusedAlikeWithoutReadingThem() throws Exception {
    Path imports = store.layout().imports();
    Files.createDirectories(imports);
    Path link = imports.resolve("link-" + UUID.randomUUID() + ".json");
    Files.createSymbolicLink(link, Path.of("/etc/passwd"));
    for (String path :
        List.of(
            "/etc/passwd",
            "/proc/self/environ",
            "/etc/shadow-nope",
            imports + "/../../../../etc/passwd",
            link.toString())) {
      corpus.refused(source("path", path), "source.path");
      given()
          .contentType("application/json")
          .body(source("path", path).replace("%ID%", "p-" + UUID.randomUUID()))
          .post("/datasets")
          .then()
          .body("errors[0].message", containsString("under the allowed import roots"))
          .body("detail", not(containsString("root:")));
    }
    casesRun += corpus.cases();
  }

  @Test
  void urlsToThisMachineOrPrivateNetworksAreRefusedBeforeAnythingIsFetched() {
    for (String url :
        List.of(
            "http://127.0.0.1:8081/datasets",
            "http://[::1]:8081/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.5/data.json",
            "http://192.168.1.1/data.json",
            "http://[fd00:ec2::254]/",
            "http://datasets.public-example.com:8081/data.json",
            "http://intranet.public-example.com/data.json",
            "http://user:secret@example.org/data.json",
            "file:///etc/passwd",
            "gopher://example.org/")) {
      corpus.refused(source("url", url), "source.url");
    }
    casesRun += corpus.cases();
  }

  private static HttpServer server(int port) throws Exception {
    return HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
  }

  @Test
  void aRedirectToLoopbackIsNotFollowed() throws Exception {
    List<String> reached = new CopyOnWriteArrayList<>();
    HttpServer allowed = server(ALLOWED_PORT);
    allowed.createContext(
        "/moved.json",
        ex -> {
          ex.getResponseHeaders()
              .add("Location", "http://localhost:" + UNLISTED_PORT + "/secret.json");
          ex.sendResponseHeaders(302, -1);
          ex.close();
        });
    HttpServer internal = server(UNLISTED_PORT);
    internal.createContext(
        "/",
        ex -> {
          reached.add(ex.getRequestURI().toString());
          ex.sendResponseHeaders(200, 2);
          ex.getResponseBody().write("[]".getBytes());
          ex.close();
        });
    allowed.start();
    internal.start();
    try {
      String id = accepted(source("url", "http://127.0.0.1:" + ALLOWED_PORT + "/moved.json"));
      assertEquals("FAILED", JobPolling.awaitEnd("/datasets/" + id, Duration.ofSeconds(30)));
      given()
          .get("/datasets/" + id)
          .then()
          .body("error", containsString("redirected to a URL that resolves to a loopback"));
      assertTrue(reached.isEmpty(), "the redirect target was asked: " + reached);
    } finally {
      allowed.stop(0);
      internal.stop(0);
    }
  }

  @Test
  void aDownloadLargerThanTheCapFailsAndKeepsNothing() throws Exception {
    byte[] big = new byte[2 * 1024 * 1024]; // the tests' cap is 1 MiB
    java.util.Arrays.fill(big, (byte) ' ');
    HttpServer server = server(ALLOWED_PORT);
    server.createContext(
        "/declared.json",
        ex -> {
          ex.sendResponseHeaders(200, big.length);
          ex.getResponseBody().write(big);
          ex.close();
        });
    server.createContext(
        "/chunked.json",
        ex -> {
          ex.sendResponseHeaders(200, 0); // no length: the cap is found while reading
          try (var out = ex.getResponseBody()) {
            out.write(big);
          } catch (java.io.IOException stopped) {
            // the service stopped reading at the cap
          }
        });
    server.start();
    try {
      for (String file : List.of("declared.json", "chunked.json")) {
        String id = accepted(source("url", "http://127.0.0.1:" + ALLOWED_PORT + "/" + file));
        assertEquals("FAILED", JobPolling.awaitEnd("/datasets/" + id, Duration.ofSeconds(30)));
        given()
            .get("/datasets/" + id)
            .then()
            .body("error", containsString("larger than the limit of 1048576 bytes"));
        assertTrue(
            Files.notExists(store.layout().dataset(id).resolve("train.json")),
            "nothing stored for " + id);
      }
    } finally {
      server.stop(0);
    }
  }

  private static String accepted(String template) {
    String id = "corpus-ok-" + UUID.randomUUID();
    given()
        .contentType("application/json")
        .body(template.replace("%ID%", id))
        .post("/datasets")
        .then()
        .statusCode(202);
    return id;
  }

  @Test
  void aDatasetPastTheDuplicateSearchBudgetIsPreparedAndSaysWhereTheSearchStopped() {
    // the tests' budget: 1,500 entries, 1 MiB of kept text
    String entry = "{\"instruction\": \"Add %d and 1.\", \"output\": \"%d\"}";
    StringBuilder many = new StringBuilder("{\"jobId\": \"%ID%\", \"entries\": [");
    for (int i = 0; i < 1_600; i++) {
      many.append(i == 0 ? "" : ",").append(String.format(entry, i, i + 1));
    }
    String manyEntries = many.append("]}").toString();
    String longText = "lorem ipsum ".repeat(50_000); // 1.2 MB as kept text
    String longEntries =
        "{\"jobId\": \"%ID%\", \"entries\": [{\"instruction\": \"Say it.\", \"output\": \""
            + longText
            + "\"}, {\"instruction\": \"Say it.\", \"output\": \"lorem\"}],"
            + " \"duplicates\": {\"drop\": [\"instruction\"]}}";
    String byEntries = accepted(manyEntries);
    String byBytes = accepted(longEntries);
    assertEquals(
        "SUCCEEDED", JobPolling.awaitEnd("/datasets/" + byEntries, Duration.ofSeconds(60)));
    given()
        .get("/datasets/" + byEntries)
        .then()
        .body("counts.train", equalTo(1_360))
        .body("duplicates.stopped.budget", equalTo("entries"))
        .body("duplicates.stopped.limit", equalTo(1_500))
        .body("duplicates.stopped.entries", equalTo(1_500))
        .body("duplicates.stopped.reason", containsString("from source index 1500 on"));
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/datasets/" + byBytes, Duration.ofSeconds(60)));
    given()
        .get("/datasets/" + byBytes)
        .then()
        .body("total", equalTo(2))
        .body("duplicates.stopped.budget", equalTo("bytes"))
        .body("duplicates.stopped.limit", equalTo(1_048_576))
        .body("duplicates.stopped.entries", equalTo(0))
        .body("duplicates.dropped", equalTo(0));
  }

  @Test
  void oversizedBodiesStringsArraysAndDeepJsonAreRefused() throws Exception {
    String entry = "{\"instruction\": \"a\", \"output\": \"b\"}";
    corpus.bodyOverTheLimitIs413();
    // REST only: as a Kafka message it is over the broker's message.max.bytes (1 MB) already
    corpus.refusedOverRest(
        "{\"jobId\": \"%ID%\", \"entries\": [" + (entry + ",").repeat(100_000) + entry + "]}",
        "entries");
    corpus.refused(
        "{\"jobId\": \"%ID%\", \"name\": \""
            + "n".repeat(201)
            + "\", \"source\": {\"builtin\": \"instruction-data\"}}",
        "name");
    corpus.refused(source("url", "https://example.org/" + "u".repeat(3000)), "source.url");
    corpus.refused(source("path", "/" + "p".repeat(5000)), "source.path");
    // entries keep extra fields, so this nesting is read, not refused as an unknown field
    String deep =
        "{\"jobId\": \"%ID%\", \"entries\": [{\"instruction\": \"a\", \"output\": \"b\", \"meta\": "
            + InputCorpus.nested(1000)
            + "}]}";
    corpus.refused(deep, null);
    corpus.refused("{\"jobId\": \"%ID%\", \"source\": {\"builtin\": \"instruction-data\"}", null);
    given()
        .contentType("application/json")
        .body(deep.replace("%ID%", "deep-" + UUID.randomUUID()))
        .post("/datasets")
        .then()
        .statusCode(400)
        .body("detail", containsString("nesting depth"));
    casesRun += corpus.cases();
  }

  @Test
  void everyNumberIsBounded() {
    String base = "{\"jobId\": \"%ID%\", \"source\": {\"builtin\": \"instruction-data\"}, ";
    corpus.numbers(base + "\"allowedMaxLength\": %N%}", "allowedMaxLength");
    corpus.numbers(base + "\"split\": {\"train\": %N%, \"test\": 0.05}}", "split.train", "0");
    corpus.numbers(base + "\"split\": {\"train\": 0.85, \"test\": %N%}}", "split.test", "0");
    corpus.numbers(base + "\"seed\": %N%}", "seed", "-1", "0", "2147483647");
    corpus.numbers(base + "\"schemaVersion\": %N%}", "schemaVersion", "1");
    corpus.numbers(base + "\"duplicates\": {\"threshold\": %N%}}", "duplicates.threshold");
    corpus.numbers(base + "\"duplicates\": {\"maxPairs\": %N%}}", "duplicates.maxPairs");
    casesRun += corpus.cases();
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
  }
}
