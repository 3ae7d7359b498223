package io.llmft.trainer.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.JobPolling;
import io.llmft.common.KafkaTestClient;
import io.llmft.common.TestDatasets;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.Topics;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The {@code training-jobs} flow over the real broker. */
@QuarkusTest
class TrainingJobConsumerTest {
  @Inject DatasetArtifacts datasets;

  @Test
  void trainingJobMessageTrainsAndHandsTheModelToInference() throws Exception {
    String datasetId = "ds-" + UUID.randomUUID();
    TestDatasets.write(datasets, datasetId, 8, 2, 2);
    String id = "train-kafka-" + UUID.randomUUID();
    String pipelineId = "p-" + UUID.randomUUID();
    KafkaTestClient.send(
        Topics.TRAINING_JOBS,
        id,
        """
        {"jobId": "%s", "datasetId": "%s", "batchSize": 4, "epochs": 1,
         "baseModel": {"config": {"emb_dim": 8, "n_layers": 1, "n_heads": 2, "context_length": 64}},
         "pipeline": {"id": "%s", "next": [{"stage": "inference", "job": {"maxNewTokens": 4}}]}}
        """
            .formatted(id, datasetId, pipelineId));
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/training-jobs/" + id, Duration.ofSeconds(120)));

    var next =
        KafkaTestClient.await(
            Topics.INFERENCE_JOBS,
            r -> (pipelineId + "-inference").equals(r.key()),
            Duration.ofSeconds(30));
    JsonNode inference = new ObjectMapper().readTree(next.value());
    assertEquals(id, inference.get("model").asText());
    assertEquals(datasetId, inference.get("datasetId").asText());
    assertEquals(4, inference.get("maxNewTokens").asInt());

    var event =
        KafkaTestClient.await(
            Topics.JOB_EVENTS,
            r -> id.equals(r.key()) && r.value().contains("SUCCEEDED"),
            Duration.ofSeconds(30));
    assertTrue(event.value().contains("\"stage\":\"training\""), event.value());
  }

  @Test
  void jobForAMissingDatasetGoesToTheDeadLetterTopic() {
    String key = "train-bad-" + UUID.randomUUID();
    KafkaTestClient.send(
        Topics.TRAINING_JOBS, key, "{\"datasetId\": \"no-such-dataset\", \"baseModel\": \"gpt2\"}");
    var dead =
        KafkaTestClient.await(
            Topics.dlq(Topics.TRAINING_JOBS), r -> key.equals(r.key()), Duration.ofSeconds(30));
    assertTrue(KafkaTestClient.header(dead, "dead-letter-reason").contains("datasetId"));
  }
}
