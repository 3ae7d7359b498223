package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a trainer in the middle of a job (a rolling update, a node drain): it finishes the
 * step, writes a checkpoint and exits; the job is not FAILED, and a new trainer resumes it from
 * that checkpoint to the losses of an uninterrupted run.
 */
class TrainerShutdownIT {
  private static final String JOB =
      """
      {"jobId": "%s", "datasetId": "%s",
       "baseModel": {"config": {"emb_dim": 64, "n_layers": 2, "n_heads": 4,
                                "context_length": 256}, "seed": 7},
       "maxSteps": 30, "checkpointEvery": 1000, "evalFreq": 5, "evalIter": 1}
      """;

  @Test
  void aStoppedTrainerCheckpointsAndItsSuccessorEndsWithTheUninterruptedLosses() throws Exception {
    RunnerOptions options = JobsApi.freshOptions("target/it-trainer-sigterm");
    String run = "sigterm-" + System.currentTimeMillis();
    String dataset = run + "-ds";
    try (ServiceProcess datasets = ServiceProcess.start("dataset-service", 18195, options)) {
      datasets.awaitReady(Duration.ofMinutes(2));
      JobsApi.post(
          datasets.url() + "/datasets",
          "{\"jobId\": \"" + dataset + "\", \"source\": {\"builtin\": \"instruction-data\"}}");
      JobsApi.awaitEnd(datasets.url() + "/datasets/" + dataset, Duration.ofMinutes(2));
    }

    JsonNode reference;
    JsonNode stopped;
    ServiceProcess trainer = ServiceProcess.start("trainer-service", 18196, options);
    try {
      trainer.awaitReady(Duration.ofMinutes(2));
      JobsApi.post(trainer.url() + "/training-jobs", JOB.formatted(run + "-whole", dataset));
      reference =
          JobsApi.awaitEnd(
              trainer.url() + "/training-jobs/" + run + "-whole", Duration.ofMinutes(3));
      assertEquals("SUCCEEDED", JobsApi.status(reference), reference.toString());

      JobsApi.post(trainer.url() + "/training-jobs", JOB.formatted(run, dataset));
      JobsApi.await(
          trainer.url() + "/training-jobs/" + run,
          j -> j.path("step").asInt() >= 4,
          Duration.ofMinutes(2));
      int exit = trainer.terminate(Duration.ofSeconds(60));
      assertTrue(exit == 0 || exit == 143, "graceful exit, got " + exit);
    } finally {
      trainer.close();
    }
    stopped =
        JobsApi.JSON.readTree(options.artifacts.resolve("jobs/training/" + run + ".json").toFile());
    assertEquals("RUNNING", JobsApi.status(stopped), "a shutdown never fails a job: " + stopped);
    int checkpoint = stopped.path("lastCheckpointStep").asInt();
    assertEquals(stopped.path("step").asInt(), checkpoint, "a checkpoint at the step it stopped");
    assertTrue(checkpoint >= 4 && checkpoint < 30, stopped.toString());
    assertEquals(0, stopped.path("attempts").asInt(), "a clean stop is not a failed attempt");

    try (ServiceProcess successor = ServiceProcess.start("trainer-service", 18196, options)) {
      successor.awaitReady(Duration.ofMinutes(2));
      JsonNode done =
          JobsApi.awaitEnd(successor.url() + "/training-jobs/" + run, Duration.ofMinutes(3));
      assertEquals("SUCCEEDED", JobsApi.status(done), done.toString());
      assertEquals(checkpoint, done.path("resumedFromStep").asInt());
      assertEquals(30, done.path("step").asInt());
      JsonNode expected = reference.path("metrics");
      JsonNode actual = done.path("metrics");
      assertEquals(expected.size(), actual.size(), actual.toString());
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.get(i).path("step").asInt(), actual.get(i).path("step").asInt());
        assertEquals(
            expected.get(i).path("trainLoss").asDouble(),
            actual.get(i).path("trainLoss").asDouble(),
            1e-6,
            "train loss at evaluation " + i);
        assertEquals(
            expected.get(i).path("valLoss").asDouble(),
            actual.get(i).path("valLoss").asDouble(),
            1e-6,
            "validation loss at evaluation " + i);
      }
    }
  }
}
