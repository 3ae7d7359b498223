package io.llmft.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.common.JobPolling;
import io.llmft.common.KafkaTestClient;
import io.llmft.common.TestDatasets;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cancelled or failed training job runs again under its id from its last checkpoint, by REST or
 * by a retry record on {@code training-jobs}; its events say RETRIED; a job that has not ended so
 * is not retried.
 */
@QuarkusTest
class RetryTest {
  private static final String TINY =
      "{\"config\": {\"emb_dim\": 8, \"n_layers\": 1, \"n_heads\": 2, \"context_length\": 64}, \"seed\": 7}";

  @Inject DatasetArtifacts datasets;

  private String datasetId;
  private final List<String> started = new java.util.ArrayList<>();

  /** A job left running by a failed assertion would hold the trainer's worker for the next test. */
  @org.junit.jupiter.api.AfterEach
  void cancelLeftovers() {
    for (String id : started) {
      given().delete("/training-jobs/" + id);
    }
  }

  @BeforeEach
  void dataset() {
    datasetId = "ds-" + UUID.randomUUID();
    TestDatasets.write(datasets, datasetId, 12, 4, 2);
  }

  /** 60 steps (20 epochs of 3), a checkpoint every 5: long enough to cancel in the middle. */
  private String start() {
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"datasetId\": \""
                    + datasetId
                    + "\", \"baseModel\": "
                    + TINY
                    + ", \"epochs\": 20, \"batchSize\": 4, \"checkpointEvery\": 5, \"evalFreq\": 50}")
            .post("/training-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    started.add(id);
    return id;
  }

  private static JsonPath doc(String id) {
    return given().get("/training-jobs/" + id).then().extract().jsonPath();
  }

  /** A job cancelled after its first checkpoints; the step it had reached. */
  private String cancelledAfterACheckpoint() {
    String id = start();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              Integer step = doc(id).get("lastCheckpointStep");
              return step != null && step >= 10;
            });
    given()
        .post("/training-jobs/" + id + "/retry")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("detail", containsString("RUNNING"));
    given().delete("/training-jobs/" + id).then().statusCode(202);
    assertEquals("CANCELLED", JobPolling.awaitEnd("/training-jobs/" + id, Duration.ofSeconds(60)));
    return id;
  }

  private static void assertResumedAndSucceeded(String id, int checkpointAtCancel) {
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/training-jobs/" + id, Duration.ofSeconds(120)));
    JsonPath done = doc(id);
    assertEquals(60, done.getInt("step"));
    assertEquals(1, done.getInt("retries"));
    int resumed = done.getInt("resumedFromStep");
    assertTrue(
        resumed >= checkpointAtCancel && resumed % 5 == 0,
        "resumed from its last checkpoint, step " + resumed);
    List<ConsumerRecord<String, String>> events =
        KafkaTestClient.readUntil(
            Topics.JOB_EVENTS,
            r -> id.equals(r.key()) && r.value().contains("\"status\":\"SUCCEEDED\""),
            Duration.ofSeconds(30));
    List<String> statuses =
        events.stream()
            .filter(r -> id.equals(r.key()))
            .map(r -> JsonPath.from(r.value()).getString("status"))
            .distinct()
            .toList();
    assertEquals(
        List.of("PENDING", "RUNNING", "CANCELLED", "RETRIED", "SUCCEEDED"),
        statuses,
        "its events, in order");
  }

  @Test
  void aCancelledJobRetriedByRestGoesOnFromItsLastCheckpoint() {
    String id = cancelledAfterACheckpoint();
    int checkpoint = doc(id).getInt("lastCheckpointStep");
    given()
        .post("/training-jobs/" + id + "/retry")
        .then()
        .statusCode(202)
        .body("id", equalTo(id))
        .body("retryRequested", equalTo(true));
    assertResumedAndSucceeded(id, checkpoint);
    given()
        .post("/training-jobs/" + id + "/retry")
        .then()
        .statusCode(409)
        .body("detail", containsString("SUCCEEDED"));
    given().post("/training-jobs/nope/retry").then().statusCode(404);
  }

  @Test
  void aRetryRecordOnTheTopicDoesTheSame() throws Exception {
    String id = cancelledAfterACheckpoint();
    int checkpoint = doc(id).getInt("lastCheckpointStep");
    var props = new java.util.Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestClient.BOOTSTRAP);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      ProducerRecord<String, String> retry =
          new ProducerRecord<>("training-jobs", id, "{\"jobId\": \"" + id + "\"}");
      retry
          .headers()
          .add("llmft-command", "retry".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      producer.send(retry).get();
    }
    assertResumedAndSucceeded(id, checkpoint);
  }
}
