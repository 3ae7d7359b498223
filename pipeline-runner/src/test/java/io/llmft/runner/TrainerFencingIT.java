package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * A second trainer replica joins while the first runs a job on every partition, each in the middle
 * of a long step, with a stop grace far shorter than a step: the jobs of the partitions that move
 * cannot reach a safe point in time, so the first replica fences them, and the second resumes them.
 * Each job has one writer: once the second replica has taken a job, the first never writes its
 * document again, and every job ends once, with all its steps.
 */
class TrainerFencingIT {
  private static final int PARTITIONS = 6;
  private static final int STEPS = 20;

  /** A job id for each partition of {@code training-jobs}, by the producer's own partitioner. */
  private static List<String> onePerPartition(String run) {
    String[] ids = new String[PARTITIONS];
    for (int i = 0; java.util.Arrays.asList(ids).contains(null); i++) {
      String id = run + "-" + i;
      int p =
          Utils.toPositive(Utils.murmur2(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
              % PARTITIONS;
      if (ids[p] == null) {
        ids[p] = id;
      }
    }
    return List.of(ids);
  }

  @Test
  void jobsOfAMovedPartitionHaveOneWriterEvenWhenTheFirstOwnerIsStuckInAStep() throws Exception {
    RunnerOptions options = JobsApi.freshOptions("target/it-trainer-fencing");
    String run = "fence" + System.currentTimeMillis();
    String dataset = run + "-ds";
    try (ServiceProcess datasets = ServiceProcess.start("dataset-service", 18591, options)) {
      datasets.awaitReady(Duration.ofMinutes(2));
      JobsApi.post(
          datasets.url() + "/datasets",
          "{\"jobId\": \"" + dataset + "\", \"source\": {\"builtin\": \"instruction-data\"}}");
      JobsApi.awaitEnd(datasets.url() + "/datasets/" + dataset, Duration.ofMinutes(3));
    }
    Map<String, String> env =
        Map.of("JOBS_CONCURRENCY", String.valueOf(PARTITIONS), "JOBS_STOP_GRACE", "100ms");
    List<String> ids = onePerPartition(run);
    try (ServiceProcess first = ServiceProcess.start("trainer-service", 18592, options, env)) {
      first.awaitReady(Duration.ofMinutes(2));
      for (String id : ids) {
        JobsApi.post(
            first.url() + "/training-jobs",
            """
            {"jobId": "%s", "datasetId": "%s",
             "baseModel": {"config": {"emb_dim": 128, "n_layers": 4, "n_heads": 4,
                                      "context_length": 256}, "seed": 1},
             "batchSize": 32, "maxSteps": %d, "evalFreq": 1000, "checkpointEvery": 5}
            """
                .formatted(id, dataset, STEPS));
      }
      for (String id : ids) {
        JobsApi.await(
            first.url() + "/training-jobs/" + id,
            j -> j.path("step").asInt() >= 2,
            Duration.ofMinutes(3));
      }
      String firstOwner = "/" + first.pid();
      try (ServiceProcess second = ServiceProcess.start("trainer-service", 18593, options, env)) {
        second.awaitReady(Duration.ofMinutes(2));
        // every job's owners in the order its document named them, until all have ended
        Map<String, List<String>> owners = new LinkedHashMap<>();
        ids.forEach(id -> owners.put(id, new ArrayList<>()));
        Instant deadline = Instant.now().plus(Duration.ofMinutes(6));
        boolean allEnded = false;
        while (!allEnded && Instant.now().isBefore(deadline)) {
          allEnded = true;
          for (String id : ids) {
            JsonNode doc = JobsApi.get(second.url() + "/training-jobs/" + id);
            String owner = doc.path("owner").asText("");
            List<String> seen = owners.get(id);
            if (!owner.isEmpty() && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(owner))) {
              seen.add(owner);
            }
            allEnded &= JobsApi.ENDED.contains(JobsApi.status(doc));
          }
          Thread.sleep(50);
        }
        assertTrue(allEnded, "every job ended: " + owners);
        int moved = 0;
        for (String id : ids) {
          JsonNode done = JobsApi.get(second.url() + "/training-jobs/" + id);
          assertEquals("SUCCEEDED", JobsApi.status(done), done.toString());
          assertEquals(STEPS, done.path("step").asInt(), done.toString());
          List<String> seen = owners.get(id);
          int handover = -1;
          for (int i = 0; i < seen.size(); i++) {
            if (!seen.get(i).endsWith(firstOwner)) {
              handover = handover < 0 ? i : handover;
            } else {
              assertTrue(
                  handover < 0, id + ": the first replica wrote after the second took it: " + seen);
            }
          }
          moved += handover >= 0 ? 1 : 0;
        }
        assertTrue(moved >= 1, "some partitions moved to the second replica: " + owners);
        String log = Files.readString(first.log());
        assertTrue(log.contains("fenced"), "the first replica fenced the jobs it could not stop");
      }
    }
  }
}
