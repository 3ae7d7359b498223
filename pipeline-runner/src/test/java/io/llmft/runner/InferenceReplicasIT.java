package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.llmft.common.KafkaTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two inference replicas in one consumer group over one store: each of six jobs runs once. */
class InferenceReplicasIT {
  private static final Path MODEL =
      Path.of("../models/src/test/resources/gpt2-tiny").toAbsolutePath().normalize();

  @Test
  void sixJobsOnTwoReplicasEachRunOnce() throws Exception {
    RunnerOptions options = JobsApi.freshOptions("target/it-inference-replicas");
    options.importRoots.add(MODEL.toString());
    String run = "infrep" + System.currentTimeMillis();
    writeDataset(options.artifacts, run + "-ds", 6);
    try (ServiceProcess a = ServiceProcess.start("inference-service", 18293, options);
        ServiceProcess b = ServiceProcess.start("inference-service", 18294, options)) {
      a.awaitReady(Duration.ofMinutes(2));
      b.awaitReady(Duration.ofMinutes(2));
      JobsApi.awaitGroup(options.kafka, "inference-service", 2, Duration.ofMinutes(1));
      List<String> ids = new ArrayList<>();
      for (int j = 0; j < 6; j++) {
        String id = run + "-inf-" + j;
        ids.add(id);
        String body =
            "{\"jobId\": \"%s\", \"model\": {\"path\": \"%s\"}, \"datasetId\": \"%s-ds\", \"maxNewTokens\": 4, \"batchSize\": 2}"
                .formatted(id, MODEL, run);
        if (j < 3) {
          JobsApi.post((j == 1 ? b : a).url() + "/inference-jobs", body);
        } else {
          KafkaTestClient.send("inference-jobs", id, body);
        }
      }
      for (String id : ids) {
        JsonNode done = JobsApi.awaitEnd(b.url() + "/inference-jobs/" + id, Duration.ofMinutes(2));
        assertEquals("SUCCEEDED", JobsApi.status(done), done.toString());
        assertEquals(1, done.path("attempts").asInt(), done.toString());
        assertEquals(6, done.path("completed").asInt());
      }
      JobsApi.assertOneRunningEventEach(ids);
    }
  }

  /** A prepared dataset as the dataset service stores it: the manifest and its test split. */
  static void writeDataset(Path artifacts, String id, int testEntries) throws Exception {
    Path dir = artifacts.resolve("datasets").resolve(id);
    Files.createDirectories(dir);
    ArrayNode test = JobsApi.JSON.createArrayNode();
    for (int e = 0; e < testEntries; e++) {
      test.addObject()
          .put("instruction", "Count to " + e + ".")
          .put("input", "")
          .put("output", "1");
    }
    Files.writeString(dir.resolve("test.json"), test.toString());
    Files.writeString(dir.resolve("train.json"), "[]");
    Files.writeString(dir.resolve("validation.json"), "[]");
    Files.writeString(
        dir.resolve("dataset.json"),
        "{\"id\": \"%s\", \"name\": \"%s\", \"promptStyle\": \"alpaca\", \"allowedMaxLength\": 96, \"counts\": {\"train\": 0, \"validation\": 0, \"test\": %d}}"
            .formatted(id, id, testEntries));
  }
}
