package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A trainer process killed in the middle of a job resumes it from its last checkpoint when it
 * starts again, and the job ends with the step count and evaluation points of an uninterrupted run.
 */
class TrainerRestartIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void aKilledTrainerResumesItsJobFromTheLastCheckpoint() throws Exception {
    RunnerOptions options =
        RunnerOptions.parse("--repository", "..", "--artifacts", "target/it-restart-artifacts");
    deleteRecursively(options.artifacts);
    String jobId = "restart-" + System.currentTimeMillis();
    try (ServiceProcess dataset = ServiceProcess.start("dataset-service", 18191, options)) {
      dataset.awaitReady(Duration.ofMinutes(2));
      post(
          dataset.url() + "/datasets",
          "{\"jobId\": \"" + jobId + "-ds\", \"source\": {\"builtin\": \"instruction-data\"}}");
      await(dataset.url() + "/datasets/" + jobId + "-ds", j -> "SUCCEEDED".equals(status(j)));

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
        post(trainer.url() + "/training-jobs", body);
        JsonNode running = await(job, j -> j.path("lastCheckpointStep").asInt() >= 5);
        trainer.kill();
        assertEquals("RUNNING", status(running), running.toString());
        checkpointAtKill = running.path("lastCheckpointStep").asInt();
      } finally {
        trainer.close();
      }

      try (ServiceProcess restarted = ServiceProcess.start("trainer-service", 18192, options)) {
        restarted.awaitReady(Duration.ofMinutes(2));
        JsonNode done =
            await(job, j -> "SUCCEEDED".equals(status(j)) || "FAILED".equals(status(j)));
        assertEquals("SUCCEEDED", status(done), done.toString());
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

  private static String status(JsonNode job) {
    return job.path("status").asText();
  }

  private static void post(String url, String body) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(202, response.statusCode(), response.body());
  }

  private static JsonNode await(String url, Predicate<JsonNode> until) throws Exception {
    Instant end = Instant.now().plus(Duration.ofMinutes(3));
    JsonNode last = null;
    while (Instant.now().isBefore(end)) {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        last = JSON.readTree(response.body());
        if (until.test(last)) {
          return last;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting on " + url + "; last: " + last);
  }

  private static void deleteRecursively(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
