package io.llmft.scoring.messaging;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.common.FakeOllama;
import io.llmft.common.JobPolling;
import io.llmft.common.KafkaTestClient;
import io.llmft.common.store.ArtifactStore;
import io.llmft.contract.Topics;
import io.llmft.scoring.TestResponses;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The {@code scoring-jobs} flow over the real broker, on the book's 110 test responses. */
@QuarkusTest
class ScoringJobConsumerTest {
  @Inject ArtifactStore store;

  @Test
  void scoresTheResponsesOfAnInferenceJob() throws Exception {
    String inferenceJobId = TestResponses.install(store);
    try (FakeOllama ollama =
        new FakeOllama(prompt -> prompt.contains("as fast as a bullet") ? "85" : "50")) {
      String id = "score-kafka-" + UUID.randomUUID();
      KafkaTestClient.send(
          Topics.SCORING_JOBS,
          id,
          """
          {"jobId": "%s", "inferenceJobId": "%s", "judge": {"url": "%s", "model": "llama3"}}
          """
              .formatted(id, inferenceJobId, ollama.url()));
      assertEquals("SUCCEEDED", JobPolling.awaitEnd("/scoring-jobs/" + id, Duration.ofSeconds(60)));
      given()
          .get("/scoring-jobs/" + id)
          .then()
          .body("total", equalTo(110))
          .body("scored", equalTo(110))
          .body("scores[0].score", equalTo(85))
          .body("averageScore", equalTo((85 + 109 * 50) / 110f));
      var event =
          KafkaTestClient.await(
              Topics.JOB_EVENTS,
              r -> id.equals(r.key()) && r.value().contains("SUCCEEDED"),
              Duration.ofSeconds(30));
      assertTrue(event.value().contains("\"averageScore\""), event.value());
    }
  }

  /**
   * A comparison published on {@code scoring-jobs}: the model whose responses score higher wins.
   */
  @Test
  void comparesTwoInferenceJobsFromAMessage() throws Exception {
    String base = TestResponses.install(store);
    String better = TestResponses.install(store);
    var path = store.layout().responses(better);
    var entries =
        (com.fasterxml.jackson.databind.node.ArrayNode)
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(path.toFile());
    entries.forEach(
        e -> ((com.fasterxml.jackson.databind.node.ObjectNode) e).put("model_response", "BETTER"));
    java.nio.file.Files.writeString(path, entries.toString());
    try (FakeOllama ollama = new FakeOllama(prompt -> prompt.contains("`BETTER`") ? "90" : "40")) {
      String id = "compare-kafka-" + UUID.randomUUID();
      KafkaTestClient.send(
          Topics.SCORING_JOBS,
          id,
          """
          {"jobId": "%s", "judge": {"url": "%s"}, "comparison": {"sources": [
            {"name": "sft", "inferenceJobId": "%s"}, {"name": "dpo", "inferenceJobId": "%s"}]}}
          """
              .formatted(id, ollama.url(), base, better));
      assertEquals("SUCCEEDED", JobPolling.awaitEnd("/scoring-jobs/" + id, Duration.ofSeconds(60)));
      given()
          .get("/comparisons/" + id)
          .then()
          .body("comparison.sources.name", equalTo(java.util.List.of("sft", "dpo")))
          .body("comparison.sources[1].averageScore", equalTo(90f))
          .body("comparison.pairs[0].comparison.losses", equalTo(110))
          .body("comparison.pairs[0].comparison.meanDifference", equalTo(-50f));
    }
  }

  @Test
  void poisonMessageGoesToTheDeadLetterTopic() {
    String key = "score-bad-" + UUID.randomUUID();
    KafkaTestClient.send(Topics.SCORING_JOBS, key, "[1, 2, 3]");
    var dead =
        KafkaTestClient.await(
            Topics.dlq(Topics.SCORING_JOBS), r -> key.equals(r.key()), Duration.ofSeconds(30));
    assertTrue(KafkaTestClient.header(dead, "dead-letter-reason") != null);
  }
}
