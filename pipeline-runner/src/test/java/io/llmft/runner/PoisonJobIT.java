package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A job whose process dies under it each time it runs (killed with SIGKILL while the job is
 * RUNNING, as an out-of-memory kill would end it) is tried again by each restarted trainer, and
 * given up with its reason after {@code jobs.max-attempts} (3); the trainer then goes on with the
 * next job.
 */
class PoisonJobIT {
  private static final String JOB =
      """
      {"jobId": "%s", "datasetId": "%s",
       "baseModel": {"config": {"emb_dim": 16, "n_layers": 1, "n_heads": 2,
                                "context_length": 256}, "seed": 1},
       "maxSteps": %d, "evalFreq": 1000, "checkpointEvery": 1000}
      """;

  @Test
  void aJobThatTakesItsProcessDownIsGivenUpAfterThreeAttempts() throws Exception {
    RunnerOptions options = JobsApi.freshOptions("target/it-poison");
    String dataset = "poison-data-" + System.currentTimeMillis();
    try (ServiceProcess datasets = ServiceProcess.start("dataset-service", 18197, options)) {
      datasets.awaitReady(Duration.ofMinutes(2));
      JobsApi.post(
          datasets.url() + "/datasets",
          "{\"jobId\": \"" + dataset + "\", \"source\": {\"builtin\": \"instruction-data\"}}");
      JobsApi.awaitEnd(datasets.url() + "/datasets/" + dataset, Duration.ofMinutes(3));
    }
    String poison = "poison-" + System.currentTimeMillis();
    for (int attempt = 1; attempt <= 3; attempt++) {
      try (ServiceProcess trainer = ServiceProcess.start("trainer-service", 18198, options)) {
        trainer.awaitReady(Duration.ofMinutes(2));
        String job = trainer.url() + "/training-jobs/" + poison;
        if (attempt == 1) {
          JobsApi.post(trainer.url() + "/training-jobs", JOB.formatted(poison, dataset, 100_000));
        }
        int expected = attempt;
        JsonNode running =
            JobsApi.await(
                job,
                j -> "RUNNING".equals(JobsApi.status(j)) && j.path("attempts").asInt() == expected,
                Duration.ofMinutes(2));
        assertEquals(attempt, running.path("attempts").asInt(), running.toString());
        trainer.kill(); // SIGKILL while it runs
      }
    }
    try (ServiceProcess trainer = ServiceProcess.start("trainer-service", 18198, options)) {
      trainer.awaitReady(Duration.ofMinutes(2));
      JsonNode failed =
          JobsApi.awaitEnd(trainer.url() + "/training-jobs/" + poison, Duration.ofMinutes(1));
      assertEquals("FAILED", JobsApi.status(failed), failed.toString());
      assertTrue(
          failed.path("error").asText().startsWith("gave up after 3 attempts: "),
          failed.toString());
      assertEquals(3, failed.path("attempts").asInt());
      String next = "fine-" + System.currentTimeMillis();
      JobsApi.post(trainer.url() + "/training-jobs", JOB.formatted(next, dataset, 2));
      assertEquals(
          "SUCCEEDED",
          JobsApi.status(
              JobsApi.awaitEnd(trainer.url() + "/training-jobs/" + next, Duration.ofMinutes(2))));
      assertTrue(trainer.isAlive());
    }
  }
}
