package io.llmft.inference.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.JobPolling;
import io.llmft.common.KafkaTestClient;
import io.llmft.common.TestDatasets;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.Topics;
import io.llmft.inference.TestModels;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The {@code inference-jobs} flow over the real broker. */
@QuarkusTest
class InferenceJobConsumerTest {
  @Inject DatasetArtifacts datasets;
  @Inject ArtifactStore store;

  @Test
  void inferenceJobMessageAnswersAndHandsOverToScoring() throws Exception {
    String datasetId = "ds-" + UUID.randomUUID();
    TestDatasets.write(datasets, datasetId, 2, 1, 2);
    String modelId = TestModels.storeModel(store);
    String id = "inf-kafka-" + UUID.randomUUID();
    String pipelineId = "p-" + UUID.randomUUID();
    KafkaTestClient.send(
        Topics.INFERENCE_JOBS,
        id,
        """
        {"jobId": "%s", "model": "%s", "datasetId": "%s", "maxNewTokens": 2,
         "pipeline": {"id": "%s", "next": [{"stage": "scoring", "job": {"judge": {"url": "http://localhost:1"}}}]}}
        """
            .formatted(id, modelId, datasetId, pipelineId));
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/inference-jobs/" + id, Duration.ofSeconds(60)));
    var next =
        KafkaTestClient.await(
            Topics.SCORING_JOBS,
            r -> (pipelineId + "-scoring").equals(r.key()),
            Duration.ofSeconds(30));
    JsonNode scoring = new ObjectMapper().readTree(next.value());
    assertEquals(id, scoring.get("inferenceJobId").asText());
    assertEquals("http://localhost:1", scoring.at("/judge/url").asText());
  }

  @Test
  void invalidJobGoesToTheDeadLetterTopic() {
    String key = "inf-bad-" + UUID.randomUUID();
    KafkaTestClient.send(
        Topics.INFERENCE_JOBS,
        key,
        "{\"model\": \"missing\", \"datasetId\": \"missing\", \"extra\": true}");
    var dead =
        KafkaTestClient.await(
            Topics.dlq(Topics.INFERENCE_JOBS), r -> key.equals(r.key()), Duration.ofSeconds(30));
    assertTrue(KafkaTestClient.header(dead, "dead-letter-reason").contains("extra"));
  }
}
