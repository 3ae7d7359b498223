package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.FakeOllama;
import io.llmft.common.KafkaTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two scoring replicas in one consumer group over one artifact store: each job runs once, on the
 * replica that holds its partition; when that replica is killed, the other takes its partitions and
 * finishes the job without asking the judge again about what was scored.
 */
class ScoringReplicasIT {
  private static final Duration LATENCY = Duration.ofMillis(300);

  @Test
  void eachJobRunsOnceAndTheSurvivorFinishesTheJobOfAKilledReplica() throws Exception {
    RunnerOptions options = JobsApi.freshOptions("target/it-scoring-replicas");
    String run = "rep" + System.currentTimeMillis();
    try (FakeOllama judge =
            new FakeOllama(
                p -> String.valueOf(Math.floorMod(p.hashCode(), 101)),
                call -> FakeOllama.Fault.NONE,
                LATENCY);
        ServiceProcess a =
            ServiceProcess.start(
                "scoring-service", 18291, options, Map.of("OLLAMA_HOST", judge.url()));
        ServiceProcess b =
            ServiceProcess.start(
                "scoring-service", 18292, options, Map.of("OLLAMA_HOST", judge.url()))) {
      a.awaitReady(Duration.ofMinutes(2));
      b.awaitReady(Duration.ofMinutes(2));
      JobsApi.awaitGroup(options.kafka, "scoring-service", 2, Duration.ofMinutes(1));

      List<String> ids = new ArrayList<>();
      for (int j = 0; j < 6; j++) {
        String id = run + "-score-" + j;
        ids.add(id);
        writeResponses(options.artifacts, run + "-inf-" + j, 5, id);
        String body =
            "{\"jobId\": \"%s\", \"inferenceJobId\": \"%s-inf-%d\"}".formatted(id, run, j);
        if (j % 2 == 0) {
          JobsApi.post((j % 4 == 0 ? a : b).url() + "/scoring-jobs", body);
        } else {
          KafkaTestClient.send("scoring-jobs", id, body);
        }
      }
      for (String id : ids) {
        JsonNode done = JobsApi.awaitEnd(a.url() + "/scoring-jobs/" + id, Duration.ofMinutes(2));
        assertEquals("SUCCEEDED", JobsApi.status(done), done.toString());
        assertEquals(1, done.path("attempts").asInt(), done.toString());
        assertEquals(5, done.path("judgeCalls").asInt(), "one call per entry: " + done);
      }
      Map<String, Long> callsPerPrompt = callsPerPrompt(judge);
      for (String id : ids) {
        for (int e = 0; e < 5; e++) {
          assertEquals(1L, callsPerPrompt.get(marker(id, e)), id + " entry " + e);
        }
      }
      JobsApi.assertOneRunningEventEach(ids);

      // kill -9 the owner of a running job: the survivor takes its partition and finishes it
      String slow = run + "-slow";
      writeResponses(options.artifacts, run + "-inf-slow", 60, slow);
      JobsApi.post(
          a.url() + "/scoring-jobs",
          "{\"jobId\": \"" + slow + "\", \"inferenceJobId\": \"" + run + "-inf-slow\"}");
      JsonNode running =
          JobsApi.await(
              a.url() + "/scoring-jobs/" + slow,
              j -> j.path("completed").asInt() >= 8,
              Duration.ofMinutes(1));
      String owner = running.path("owner").asText();
      ServiceProcess victim = owner.endsWith("/" + a.pid()) ? a : b;
      ServiceProcess survivor = victim == a ? b : a;
      assertTrue(owner.endsWith("/" + victim.pid()), owner);
      victim.kill();
      JsonNode done =
          JobsApi.awaitEnd(survivor.url() + "/scoring-jobs/" + slow, Duration.ofMinutes(2));
      assertEquals("SUCCEEDED", JobsApi.status(done), done.toString());
      assertEquals(60, done.path("scored").asInt());
      assertTrue(done.path("owner").isMissingNode() || done.path("owner").isNull());
      assertTrue(done.path("resumedAfter").asInt() >= 8, done.toString());
      Map<String, Long> calls = callsPerPrompt(judge);
      long askedTwice = 0;
      for (int e = 0; e < 60; e++) {
        long n = calls.getOrDefault(marker(slow, e), 0L);
        assertTrue(n == 1 || n == 2, "entry " + e + " asked " + n + " times");
        askedTwice += n - 1;
      }
      assertTrue(
          askedTwice <= 4,
          "at most judge.concurrency entries in flight at the kill: " + askedTwice);
    }
  }

  private static String marker(String job, int entry) {
    return "answer " + entry + " of " + job;
  }

  private static Map<String, Long> callsPerPrompt(FakeOllama judge) {
    return judge.requests().stream()
        .map(r -> r.at("/messages/0/content").asText())
        .map(
            p ->
                p.substring(
                    p.indexOf("score the model response `") + 26, p.indexOf("` on a scale")))
        .collect(Collectors.groupingBy(p -> p, Collectors.counting()));
  }

  /** An inference job's responses file, each response naming its scoring job and entry. */
  private static void writeResponses(Path artifacts, String inferenceJobId, int n, String job)
      throws Exception {
    ArrayNode entries = JobsApi.JSON.createArrayNode();
    for (int e = 0; e < n; e++) {
      ObjectNode entry = entries.addObject();
      entry.put("instruction", "Name the number " + e + ".");
      entry.put("input", "");
      entry.put("output", String.valueOf(e));
      entry.put("model_response", marker(job, e));
    }
    Path file = artifacts.resolve("responses").resolve(inferenceJobId).resolve("responses.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, entries.toString());
  }
}
