package io.llmft.dataset.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.JobPolling;
import io.llmft.common.KafkaTestClient;
import io.llmft.contract.Topics;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The {@code dataset-jobs} flow over the real broker. */
@QuarkusTest
class DatasetJobConsumerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void awaitSucceeded(String id) {
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/datasets/" + id, Duration.ofSeconds(60)));
  }

  @Test
  void jobMessageIsTheResourceAndContinuesThePipeline() {
    String id = "ds-kafka-" + UUID.randomUUID();
    String pipelineId = "p-" + UUID.randomUUID();
    KafkaTestClient.send(
        Topics.DATASET_JOBS,
        id,
        """
        {"jobId": "%s", "entries": [{"instruction": "a", "output": "b"}, {"instruction": "c", "output": "d"}],
         "pipeline": {"id": "%s", "next": [
           {"stage": "training", "job": {"baseModel": {"config": {"emb_dim": 8, "n_layers": 1, "n_heads": 2, "context_length": 16}}}},
           {"stage": "inference", "job": {}}]}}
        """
            .formatted(id, pipelineId));
    awaitSucceeded(id);

    var next =
        KafkaTestClient.await(
            Topics.TRAINING_JOBS,
            r -> (pipelineId + "-training").equals(r.key()),
            Duration.ofSeconds(30));
    JsonNode training = parse(next.value());
    assertEquals(id, training.get("datasetId").asText());
    assertEquals(8, training.at("/baseModel/config/emb_dim").asInt());
    assertEquals(pipelineId, training.at("/pipeline/id").asText());
    assertEquals("inference", training.at("/pipeline/next/0/stage").asText());

    var succeeded =
        KafkaTestClient.await(
            Topics.JOB_EVENTS,
            r -> id.equals(r.key()) && r.value().contains("SUCCEEDED"),
            Duration.ofSeconds(30));
    JsonNode event = parse(succeeded.value());
    assertEquals("dataset", event.get("stage").asText());
    assertEquals(pipelineId, event.get("pipelineId").asText());
    assertNotNull(event.get("timestamp"));
  }

  @Test
  void poisonMessagesGoToTheDeadLetterTopicAndTheConsumerCarriesOn() {
    String poisonKey = "poison-" + UUID.randomUUID();
    KafkaTestClient.send(Topics.DATASET_JOBS, poisonKey, "this is not JSON");
    String invalidKey = "invalid-" + UUID.randomUUID();
    KafkaTestClient.send(Topics.DATASET_JOBS, invalidKey, "{\"promptStyle\": \"alpaca\"}");
    String id = "ds-after-poison-" + UUID.randomUUID();
    KafkaTestClient.send(
        Topics.DATASET_JOBS, id, "{\"entries\": [{\"instruction\": \"a\", \"output\": \"b\"}]}");

    var dead =
        KafkaTestClient.await(
            Topics.dlq(Topics.DATASET_JOBS),
            r -> poisonKey.equals(r.key()),
            Duration.ofSeconds(30));
    assertEquals("this is not JSON", dead.value());
    assertTrue(KafkaTestClient.header(dead, "dead-letter-reason").contains("malformed JSON"));
    var invalid =
        KafkaTestClient.await(
            Topics.dlq(Topics.DATASET_JOBS),
            r -> invalidKey.equals(r.key()),
            Duration.ofSeconds(30));
    assertTrue(KafkaTestClient.header(invalid, "dead-letter-reason").contains("source"));
    awaitSucceeded(id); // the job id defaults to the record key
  }
}
