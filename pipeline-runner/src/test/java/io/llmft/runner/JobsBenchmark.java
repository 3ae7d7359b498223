package io.llmft.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.llmft.common.FakeOllama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The job machinery's own speed, over the real broker and packaged services (not a test):
 *
 * <ol>
 *   <li>scoring throughput against a local judge with a fixed latency, at judge.concurrency 1, 4
 *       and 8 (RUNNING to SUCCEEDED of one job, from the job-events timestamps);
 *   <li>hand-off latency: from a dataset job's SUCCEEDED to its pipeline's training job's RUNNING,
 *       over N pipelines run one after the other (p50, p95, max).
 * </ol>
 *
 * Args: ARTIFACTS_DIR [ENTRIES=80] [LATENCY_MS=200] [HANDOFFS=20].
 */
public final class JobsBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Instant> EVENTS = new ConcurrentHashMap<>();

  public static void main(String[] args) throws Exception {
    Path artifacts = Path.of(args[0]).toAbsolutePath();
    int entries = args.length > 1 ? Integer.parseInt(args[1]) : 80;
    Duration latency = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 200);
    int handoffs = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    RunnerOptions options =
        RunnerOptions.parse("--repository", ".", "--artifacts", artifacts.toString());
    options.apiKey = JobsApi.KEY;
    Thread events = new Thread(() -> followEvents(options.kafka), "job-events");
    events.setDaemon(true);
    events.start();
    Thread.sleep(3000);

    System.out.printf(
        "scoring throughput, %d entries, judge latency %d ms%n", entries, latency.toMillis());
    System.out.println("| judge.concurrency | entries/s | target (0.9 x c / latency) | ratio |");
    System.out.println("| --- | --- | --- | --- |");
    String responses = "bench-inf-" + UUID.randomUUID();
    writeResponses(artifacts, responses, entries);
    try (FakeOllama judge = new FakeOllama(p -> "50", call -> FakeOllama.Fault.NONE, latency)) {
      for (int concurrency : new int[] {1, 4, 8}) {
        try (ServiceProcess scoring =
            ServiceProcess.start(
                "scoring-service",
                18391,
                options,
                Map.of(
                    "OLLAMA_HOST",
                    judge.url(),
                    "JUDGE_CONCURRENCY",
                    String.valueOf(concurrency)))) {
          scoring.awaitReady(Duration.ofMinutes(2));
          String id =
              "bench-score-" + concurrency + "-" + UUID.randomUUID().toString().substring(0, 8);
          JobsApi.post(
              scoring.url() + "/scoring-jobs",
              "{\"jobId\":\"" + id + "\",\"inferenceJobId\":\"" + responses + "\"}");
          Duration took = between(id + "/RUNNING", id + "/SUCCEEDED", Duration.ofMinutes(10));
          double rate = entries / (took.toNanos() / 1e9);
          double target = 0.9 * concurrency / (latency.toNanos() / 1e9);
          System.out.printf(
              "| %d | %.1f | %.1f | %.2f |%n", concurrency, rate, target, rate / (target / 0.9));
        }
      }
    }

    System.out.printf(
        "%nhand-off latency: dataset SUCCEEDED -> training RUNNING, %d pipelines%n", handoffs);
    List<Double> millis = new ArrayList<>();
    try (ServiceProcess dataset = ServiceProcess.start("dataset-service", 18392, options);
        ServiceProcess trainer = ServiceProcess.start("trainer-service", 18393, options)) {
      dataset.awaitReady(Duration.ofMinutes(2));
      trainer.awaitReady(Duration.ofMinutes(2));
      for (int i = 0; i <= handoffs; i++) {
        String p = "bench-p-" + UUID.randomUUID().toString().substring(0, 8);
        JobsApi.post(
            dataset.url() + "/datasets",
            """
            {"jobId": "%s-dataset", "source": {"builtin": "instruction-data"},
             "pipeline": {"id": "%s", "next": [{"stage": "training", "job": {"baseModel":
               {"config": {"emb_dim": 16, "n_layers": 1, "n_heads": 2, "context_length": 256}},
               "maxSteps": 1, "evalIter": 1}}]}}
            """
                .formatted(p, p));
        Duration handoff =
            between(p + "-dataset/SUCCEEDED", p + "-training/RUNNING", Duration.ofMinutes(2));
        between(p + "-training/RUNNING", p + "-training/SUCCEEDED", Duration.ofMinutes(2));
        if (i > 0) { // the first one warms the consumers up
          millis.add(handoff.toNanos() / 1e6);
        }
      }
    }
    List<Double> sorted = millis.stream().sorted().toList();
    System.out.printf(
        "p50 %.0f ms, p95 %.0f ms, max %.0f ms (target p95 < 200 ms)%n",
        percentile(sorted, 0.50), percentile(sorted, 0.95), sorted.get(sorted.size() - 1));
    System.exit(0);
  }

  private static double percentile(List<Double> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static Duration between(String from, String to, Duration timeout) throws Exception {
    Instant end = Instant.now().plus(timeout);
    while (Instant.now().isBefore(end)) {
      Instant a = EVENTS.get(from);
      Instant b = EVENTS.get(to);
      if (a != null && b != null) {
        return Duration.between(a, b);
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("no events " + from + " and " + to + " within " + timeout);
  }

  private static void followEvents(String bootstrap) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("job-events"));
      while (true) {
        for (var r : consumer.poll(Duration.ofMillis(100))) {
          try {
            JsonNode e = JSON.readTree(r.value());
            EVENTS.putIfAbsent(
                e.path("jobId").asText() + "/" + e.path("status").asText(),
                Instant.parse(e.path("timestamp").asText()));
          } catch (Exception ignored) {
            // not an event of ours
          }
        }
      }
    }
  }

  private static void writeResponses(Path artifacts, String id, int n) throws Exception {
    ArrayNode list = JSON.createArrayNode();
    for (int e = 0; e < n; e++) {
      list.addObject()
          .put("instruction", "Name the number " + e + ".")
          .put("input", "")
          .put("output", String.valueOf(e))
          .put("model_response", "It is " + e + ".");
    }
    Path file = artifacts.resolve("responses").resolve(id).resolve("responses.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, list.toString());
  }
}
