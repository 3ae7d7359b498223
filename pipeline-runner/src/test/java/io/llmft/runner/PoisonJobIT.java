package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.KafkaTestClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A job that takes its process down with it (the test-only fault hook {@code JOBS_CRASH_PREFIX}
 * halts the JVM when such a job starts, as an out-of-memory kill would) is tried again by each
 * restarted instance, and given up with its reason after {@code jobs.max-attempts} (3); the
 * instance then goes on with the next job.
 */
class PoisonJobIT {
  @Test
  void aJobThatCrashesItsProcessIsGivenUpAfterThreeAttempts() throws Exception {
    RunnerOptions options = JobsApi.freshOptions("target/it-poison");
    String poison = "crash-" + System.currentTimeMillis();
    Map<String, String> hook = Map.of("JOBS_CRASH_PREFIX", "crash-");
    for (int attempt = 1; attempt <= 3; attempt++) {
      try (ServiceProcess dataset = ServiceProcess.start("dataset-service", 18197, options, hook)) {
        dataset.awaitReady(Duration.ofMinutes(2));
        if (attempt == 1) { // through Kafka: a POST's answer could lose the race with the halt
          KafkaTestClient.send(
              "dataset-jobs",
              poison,
              "{\"jobId\": \"" + poison + "\", \"source\": {\"builtin\": \"instruction-data\"}}");
        }
        assertEquals(137, dataset.awaitExit(Duration.ofMinutes(1)), "attempt " + attempt);
      }
    }
    try (ServiceProcess dataset = ServiceProcess.start("dataset-service", 18197, options, hook)) {
      dataset.awaitReady(Duration.ofMinutes(2));
      JsonNode failed =
          JobsApi.awaitEnd(dataset.url() + "/datasets/" + poison, Duration.ofMinutes(1));
      assertEquals("FAILED", JobsApi.status(failed), failed.toString());
      assertTrue(
          failed.path("error").asText().startsWith("gave up after 3 attempts: "),
          failed.toString());
      assertEquals(3, failed.path("attempts").asInt());
      String next = "fine-" + System.currentTimeMillis();
      JobsApi.post(
          dataset.url() + "/datasets",
          "{\"jobId\": \"" + next + "\", \"source\": {\"builtin\": \"instruction-data\"}}");
      assertEquals(
          "SUCCEEDED",
          JobsApi.status(
              JobsApi.awaitEnd(dataset.url() + "/datasets/" + next, Duration.ofMinutes(1))));
      assertTrue(dataset.isAlive());
    }
  }
}
