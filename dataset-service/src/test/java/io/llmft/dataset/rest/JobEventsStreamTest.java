package io.llmft.dataset.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.KafkaTestClient;
import io.llmft.common.TestAuth;
import io.llmft.common.messaging.JobEventFeed;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.JobStore;
import io.llmft.contract.JobStatus;
import io.llmft.contract.Stage;
import io.llmft.contract.Topics;
import io.llmft.dataset.service.DatasetState;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /datasets/{id}/events}, the stream every stage has: the document now, then each change
 * that {@code job-events} announces — also of a job another replica runs — until the job ends.
 */
@QuarkusTest
class JobEventsStreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject ArtifactStore store;
  @Inject JobEventFeed feed;

  @TestHTTPResource("/")
  URL base;

  /** The {@code data:} documents of a stream as they arrive; a null-node marks its end. */
  private record Stream(BlockingQueue<JsonNode> documents, CompletableFuture<?> done) {
    JsonNode next() throws InterruptedException {
      JsonNode doc = documents.poll(20, TimeUnit.SECONDS);
      assertNotNull(doc, "no document within 20 s");
      return doc;
    }
  }

  /** Streams opened before the feed has its partitions see changes from then on. */
  @BeforeEach
  void feedIsLive() {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(feed::live);
  }

  private Stream open(String id) {
    BlockingQueue<JsonNode> docs = new LinkedBlockingQueue<>();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "datasets/" + id + "/events"))
            .header("Accept", "text/event-stream")
            .header("Authorization", TestAuth.bearer(TestAuth.VIEWER_KEY))
            .build();
    CompletableFuture<?> done =
        HttpClient.newHttpClient()
            .sendAsync(request, HttpResponse.BodyHandlers.ofLines())
            .thenAccept(
                response -> {
                  assertEquals(200, response.statusCode());
                  response
                      .body()
                      .filter(line -> line.startsWith("data:"))
                      .forEach(
                          line -> {
                            try {
                              docs.add(JSON.readTree(line.substring(5).trim()));
                            } catch (Exception e) {
                              throw new IllegalStateException(line, e);
                            }
                          });
                });
    return new Stream(docs, done);
  }

  private static void announce(String id, JobStatus status) {
    announce(id, "dataset", status);
  }

  private static void announce(String id, String stage, JobStatus status) {
    KafkaTestClient.send(
        Topics.JOB_EVENTS,
        id,
        """
        {"schemaVersion": 1, "jobId": "%s", "stage": "%s", "status": "%s", "timestamp": "%s"}
        """
            .formatted(id, stage, status, Instant.now()));
  }

  @Test
  void pushesTheChangesOfAJobThatAnotherReplicaRuns() throws Exception {
    JobStore<DatasetState> jobs =
        new JobStore<>(store, Stage.DATASET, DatasetState.class, "dataset");
    String id = "ds-elsewhere-" + UUID.randomUUID();
    DatasetState doc = new DatasetState();
    doc.id = id;
    doc.status = JobStatus.RUNNING;
    doc.owner = "another-replica/1";
    doc.createdAt = Instant.now();
    jobs.create(doc, java.util.Map.of("jobId", id));
    jobs.save(doc);

    Stream stream = open(id);
    assertEquals("RUNNING", stream.next().path("status").asText());

    // the other replica saves progress without announcing it: nothing is pushed (no polling) ...
    doc.total = 10;
    jobs.save(doc);
    assertNull(stream.documents().poll(2, TimeUnit.SECONDS), "pushed without an event");
    // ... until its event arrives; the stream then sends the document as it is now
    announce(id, JobStatus.RUNNING);
    assertEquals(10, stream.next().path("total").asInt());
    // an event of another stage's job with the same id is not this job's
    doc.total = 11;
    jobs.save(doc);
    announce(id, "training", JobStatus.RUNNING);
    assertNull(stream.documents().poll(2, TimeUnit.SECONDS), "pushed for another stage's job");

    doc.status = JobStatus.SUCCEEDED;
    jobs.save(doc);
    announce(id, JobStatus.SUCCEEDED);
    assertEquals("SUCCEEDED", stream.next().path("status").asText());
    stream.done().get(10, TimeUnit.SECONDS); // the stream ends with the job
  }

  @Test
  void followsAJobOfThisInstanceToItsEndAndAnEndedJobAtOnce() throws Exception {
    String id = "ds-followed-" + UUID.randomUUID();
    Stream stream = open(idAfterPost(id));
    JsonNode doc;
    do {
      doc = stream.next();
    } while (!doc.path("status").asText().equals("SUCCEEDED"));
    assertEquals(2, doc.path("total").asInt());
    stream.done().get(10, TimeUnit.SECONDS);

    Stream ended = open(id);
    assertEquals("SUCCEEDED", ended.next().path("status").asText());
    ended.done().get(10, TimeUnit.SECONDS);
    assertTrue(ended.documents().isEmpty(), "an ended job's stream is its one document");

    given().get("/datasets/nope/events").then().statusCode(404);
  }

  private static String idAfterPost(String id) {
    given()
        .contentType(ContentType.JSON)
        .body(
            """
            {"jobId": "%s", "entries": [{"instruction": "a", "output": "b"}, {"instruction": "c", "output": "d"}]}
            """
                .formatted(id))
        .post("/datasets")
        .then()
        .statusCode(202);
    return id;
  }
}
