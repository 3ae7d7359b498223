package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A trainer process killed in the middle of a job resumes it from its last checkpoint when it
 * starts again, and the job ends with the step count and evaluation points of an uninterrupted run;
 * a LoRA DPO job, with the very losses and rewards of an uninterrupted one.
 */
class TrainerRestartIT {
  @Test
  void aKilledTrainerResumesItsJobFromTheLastCheckpoint() throws Exception {
    RunnerOptions options = JobsApi.freshOptions("target/it-restart-artifacts");
    String jobId = "restart-" + System.currentTimeMillis();
    try (ServiceProcess dataset = ServiceProcess.start("dataset-service", 18191, options)) {
      dataset.awaitReady(Duration.ofMinutes(2));
      JobsApi.post(
          dataset.url() + "/datasets",
          "{\"jobId\": \"" + jobId + "-ds\", \"source\": {\"builtin\": \"instruction-data\"}}");
      JobsApi.awaitEnd(dataset.url() + "/datasets/" + jobId + "-ds", Duration.ofMinutes(3));

      String body =
          """
          {"jobId": "%s", "datasetId": "%s-ds",
           "baseModel": {"config": {"emb_dim": 16, "n_layers": 1, "n_heads": 2,
                                    "context_length": 256}, "seed": 1},
           "maxSteps": 60, "checkpointEvery": 5, "evalFreq": 5, "evalIter": 1}
          """
              .formatted(jobId, jobId);
      String job;
      int checkpointAtKill;
      ServiceProcess trainer = ServiceProcess.start("trainer-service", 18192, options);
      try {
        trainer.awaitReady(Duration.ofMinutes(2));
        job = trainer.url() + "/training-jobs/" + jobId;
        JobsApi.post(trainer.url() + "/training-jobs", body);
        JsonNode running =
            JobsApi.await(
                job, j -> j.path("lastCheckpointStep").asInt() >= 5, Duration.ofMinutes(3));
        trainer.kill();
        assertEquals("RUNNING", JobsApi.status(running), running.toString());
        checkpointAtKill = running.path("lastCheckpointStep").asInt();
      } finally {
        trainer.close();
      }

      try (ServiceProcess restarted = ServiceProcess.start("trainer-service", 18192, options)) {
        restarted.awaitReady(Duration.ofMinutes(2));
        JsonNode done = JobsApi.awaitEnd(job, Duration.ofMinutes(3));
        assertEquals("SUCCEEDED", JobsApi.status(done), done.toString());
        int resumedFrom = done.path("resumedFromStep").asInt();
        assertTrue(
            resumedFrom >= checkpointAtKill && resumedFrom < 60 && resumedFrom % 5 == 0,
            done.toString());
        assertEquals(60, done.path("step").asInt());
        List<Integer> evaluated = new ArrayList<>();
        done.path("metrics").forEach(m -> evaluated.add(m.path("step").asInt()));
        assertEquals(List.of(0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55), evaluated);
        assertTrue(
            Files.isRegularFile(
                options.artifacts.resolve("models/" + jobId + "/model.safetensors")));
        assertFalse(
            Files.exists(options.artifacts.resolve("training-checkpoints/" + jobId)),
            "checkpoints are removed once the job has ended");
      }
    }
  }

  @Test
  void aKilledTrainerResumesALoraDpoJobWithTheNumbersOfAnUninterruptedRun() throws Exception {
    RunnerOptions options = JobsApi.freshOptions("target/it-restart-dpo-artifacts");
    String jobId = "dpo-restart-" + System.currentTimeMillis();
    try (ServiceProcess dataset = ServiceProcess.start("dataset-service", 18491, options)) {
      dataset.awaitReady(Duration.ofMinutes(2));
      JobsApi.post(
          dataset.url() + "/datasets",
          "{\"jobId\": \""
              + jobId
              + "-ds\", \"source\": {\"builtin\": \"instruction-data-with-preference\"}}");
      JobsApi.awaitEnd(dataset.url() + "/datasets/" + jobId + "-ds", Duration.ofMinutes(3));

      String body =
          """
          {"jobId": "%s", "datasetId": "%s-ds", "method": "dpo", "dpo": {"beta": 0.1},
           "baseModel": {"config": {"emb_dim": 16, "n_layers": 1, "n_heads": 2,
                                    "context_length": 256}, "seed": 1},
           "lora": {"rank": 2, "alpha": 4}, "learningRate": 0.001, "precision": "fp32",
           "maxSteps": 40, "checkpointEvery": 5, "evalFreq": 5, "evalIter": 1}
          """;
      String job;
      ServiceProcess trainer = ServiceProcess.start("trainer-service", 18492, options);
      try {
        trainer.awaitReady(Duration.ofMinutes(2));
        job = trainer.url() + "/training-jobs/" + jobId;
        JobsApi.post(trainer.url() + "/training-jobs", body.formatted(jobId, jobId));
        JsonNode running =
            JobsApi.await(
                job, j -> j.path("lastCheckpointStep").asInt() >= 5, Duration.ofMinutes(3));
        trainer.kill();
        assertEquals("RUNNING", JobsApi.status(running), running.toString());
      } finally {
        trainer.close();
      }

      try (ServiceProcess restarted = ServiceProcess.start("trainer-service", 18492, options)) {
        restarted.awaitReady(Duration.ofMinutes(2));
        JsonNode resumed = JobsApi.awaitEnd(job, Duration.ofMinutes(3));
        assertEquals("SUCCEEDED", JobsApi.status(resumed), resumed.toString());
        assertTrue(resumed.path("resumedFromStep").asInt() >= 5, resumed.toString());
        String again = jobId + "-uninterrupted";
        JobsApi.post(restarted.url() + "/training-jobs", body.formatted(again, jobId));
        JsonNode uninterrupted =
            JobsApi.awaitEnd(restarted.url() + "/training-jobs/" + again, Duration.ofMinutes(3));
        assertEquals("SUCCEEDED", JobsApi.status(uninterrupted), uninterrupted.toString());
        assertTrue(uninterrupted.path("resumedFromStep").isMissingNode());
        assertEquals(40, resumed.path("step").asInt());
        assertEquals(uninterrupted.path("tokensSeen"), resumed.path("tokensSeen"));
        JsonNode expected = uninterrupted.path("metrics");
        assertEquals(expected.size(), resumed.path("metrics").size());
        for (int i = 0; i < expected.size(); i++) {
          for (String f :
              List.of(
                  "trainLoss",
                  "valLoss",
                  "trainChosenReward",
                  "trainRejectedReward",
                  "valChosenReward",
                  "valRejectedReward")) {
            assertEquals(
                expected.get(i).path(f).asDouble(),
                resumed.path("metrics").get(i).path(f).asDouble(),
                1e-6,
                "evaluation " + i + " " + f);
          }
        }
        assertTrue(
            Files.isRegularFile(
                options.artifacts.resolve("models/" + jobId + "/lora_adapters.safetensors")));
      }
    }
  }
}
