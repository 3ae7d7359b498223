package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.common.KafkaTestClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A service configured for SASL/SCRAM by environment alone, against the local broker's SCRAM
 * listener (scripts/kafka.sh: port 9094, user dataset-service with the ACLs the deploy manifests
 * give that service): it consumes its job, publishes the next stage's and its events; with a wrong
 * password it never becomes ready, and the log says why.
 */
class KafkaScramIT {
  private static final String SASL_BOOTSTRAP = "localhost:9094";

  private static Map<String, String> scram(String password) {
    return Map.of(
        "KAFKA_BOOTSTRAP_SERVERS",
        SASL_BOOTSTRAP,
        "KAFKA_SECURITY_PROTOCOL",
        "SASL_PLAINTEXT",
        "KAFKA_SASL_MECHANISM",
        "SCRAM-SHA-512",
        "KAFKA_SASL_JAAS_CONFIG",
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"dataset-service\" password=\""
            + password
            + "\";");
  }

  @Test
  void aServiceWithItsScramUserRunsAndHandsOffAWrongPasswordIsNeverReady() throws Exception {
    RunnerOptions options = JobsApi.freshOptions("target/it-scram");
    String id = "scram-" + System.currentTimeMillis();
    try (ServiceProcess dataset =
        ServiceProcess.start(
            "dataset-service",
            18198,
            options,
            scram(System.getenv().getOrDefault("SCRAM_TEST_PASSWORD", "scram-test-password")))) {
      dataset.awaitReady(Duration.ofMinutes(2));
      JobsApi.post(
          dataset.url() + "/datasets",
          "{\"jobId\": \""
              + id
              + "\", \"entries\": [{\"instruction\": \"a\", \"output\": \"b\"}],"
              + " \"pipeline\": {\"id\": \""
              + id
              + "\", \"next\": [{\"stage\": \"training\", \"job\": {}}]}}");
      assertEquals(
          "SUCCEEDED",
          JobsApi.status(
              JobsApi.awaitEnd(dataset.url() + "/datasets/" + id, Duration.ofMinutes(1))));
      KafkaTestClient.await(
          "training-jobs", r -> (id + "-training").equals(r.key()), Duration.ofSeconds(30));
      // its SUCCEEDED event was acknowledged by the broker: written to job-events as that user
      JobsApi.await(
          dataset.url() + "/datasets/" + id,
          j -> j.path("announced").asBoolean(),
          Duration.ofSeconds(30));
    }
    try (ServiceProcess wrong =
        ServiceProcess.start("dataset-service", 18199, options, scram("not-the-password"))) {
      assertThrows(Exception.class, () -> wrong.awaitReady(Duration.ofSeconds(25)));
      String log = Files.readString(wrong.log());
      assertTrue(log.contains("Authentication failed"), "the log says why");
    }
  }
}
