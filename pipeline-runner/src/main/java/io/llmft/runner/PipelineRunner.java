package io.llmft.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.contract.DatasetJob;
import io.llmft.contract.JsonSupport;
import io.llmft.contract.Stage;
import io.llmft.contract.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The main job: starts the four services, publishes <em>one</em> message to {@code dataset-jobs}
 * whose {@code pipeline.next} runs training, inference and scoring on the bundled dataset, follows
 * {@code job-events}, and prints a summary. Scoring is left out, and said so, when no Ollama
 * answers.
 */
public final class PipelineRunner {
  static final List<String> SERVICES =
      List.of("dataset-service", "trainer-service", "inference-service", "scoring-service");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private final RunnerOptions options;
  private final PrintStream out;

  public PipelineRunner(RunnerOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** What the run produced, as the services report it. */
  public record Summary(
      String pipelineId,
      Map<String, String> finalStatus,
      JsonNode dataset,
      JsonNode training,
      JsonNode inference,
      JsonNode responses,
      JsonNode scoring,
      JsonNode pipeline,
      Duration wallTime,
      JsonNode dpo) {
    public boolean succeeded() {
      return !finalStatus.isEmpty() && finalStatus.values().stream().allMatch("SUCCEEDED"::equals);
    }
  }

  public static void main(String[] args) {
    RunnerOptions options;
    try {
      options = RunnerOptions.parse(args);
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println(e.getMessage());
      }
      System.err.print(RunnerOptions.USAGE);
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    try {
      Summary summary = new PipelineRunner(options, System.out).run();
      System.exit(summary.succeeded() ? 0 : 1);
    } catch (Exception e) {
      System.err.println(
          "pipeline run failed: "
              + e.getMessage()
              + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
      System.exit(1);
    }
  }

  public Summary run() throws Exception {
    Instant started = Instant.now();
    requireKafka();
    boolean judge = ollamaAnswers();
    String pipelineId =
        "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    List<ServiceProcess> services = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> services.forEach(ServiceProcess::close)));
    try {
      Path keyFile = writeKeyFile();
      say(
          "the services accept the operator key in %s while they run:"
              + " curl -H \"Authorization: Bearer $(cat %s)\" ...",
          keyFile, keyFile);
      say("%s", ServiceProcess.allocatorNotice());
      for (int i = 0; i < SERVICES.size(); i++) {
        services.add(ServiceProcess.start(SERVICES.get(i), options.portBase + i, options));
      }
      for (ServiceProcess s : services) {
        s.awaitReady(Duration.ofMinutes(3));
        say("%s ready at %s", s.name(), s.url());
      }
      Map<String, String> status = follow(pipelineId, judge, started);
      return summarize(
          pipelineId, status, services, judge, Duration.between(started, Instant.now()));
    } finally {
      services.forEach(ServiceProcess::close);
    }
  }

  /** The run's API key, readable by its owner only, for calls by hand while the run lasts. */
  private Path writeKeyFile() throws IOException {
    Files.createDirectories(options.artifacts);
    Path file = options.artifacts.resolve("api-key");
    Path temp =
        Files.createTempFile(
            options.artifacts,
            ".api-key",
            ".tmp",
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    Files.writeString(temp, options.apiKey() + "\n");
    return Files.move(
        temp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private void requireKafka() throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.kafka);
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException(
          "no Kafka broker answers at "
              + options.kafka
              + " (start one with: scripts/kafka.sh start)",
          e);
    }
  }

  private boolean ollamaAnswers() {
    try {
      HttpResponse<Void> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(options.ollama + "/api/tags"))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() == 200) {
        say("judge: Ollama answers at %s", options.ollama);
        return true;
      }
    } catch (IOException | InterruptedException | IllegalArgumentException e) {
      // reported below
    }
    say(
        "judge: no Ollama answers at %s, so this run scores with reference metrics only, no judge (set OLLAMA_HOST or --ollama to a server with llama3)",
        options.ollama);
    return false;
  }

  /**
   * Publishes the pipeline message and prints its events until the last stage ends or one fails.
   */
  private Map<String, String> follow(String pipelineId, boolean judge, Instant started)
      throws Exception {
    String lastStage = Stage.SCORING.id();
    Map<String, String> status = new LinkedHashMap<>();
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.kafka);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, String> events =
        new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          events.partitionsFor(Topics.JOB_EVENTS).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      events.assign(partitions);
      events.seekToEnd(partitions);
      partitions.forEach(events::position);

      DatasetJob message = PipelineMessage.of(options, pipelineId, judge);
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.kafka);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    Stage.DATASET.topic(),
                    message.jobId(),
                    JsonSupport.MAPPER.writeValueAsString(message)))
            .get();
      }
      say(
          "published one message to " + Stage.DATASET.topic() + ": pipeline %s (%s)",
          pipelineId,
          "dataset -> training"
              + (options.dpoBeta != null ? " -> inference -> training (dpo)" : "")
              + " -> inference -> scoring"
              + (judge
                  ? (options.dpoBeta != null ? " (sft against sft+dpo)" : "")
                  : " (reference metrics only)"));

      Instant deadline = started.plus(Duration.ofMinutes(options.timeoutMinutes));
      Map<String, JsonNode> shownEvaluation = new HashMap<>();
      Map<String, Instant> shownAt = new HashMap<>();
      while (Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, String> r : events.poll(Duration.ofMillis(500))) {
          JsonNode event = JSON.readTree(r.value());
          if (!pipelineId.equals(event.path("pipelineId").asText())) {
            continue;
          }
          String stage = event.path("stage").asText();
          String state = event.path("status").asText();
          status.put(stage, state);
          // progress comes about once a second: a line per evaluation, else one per 15 s
          JsonNode evaluation = event.at("/metrics/last");
          boolean sameEvaluation =
              state.equals("RUNNING")
                  && !evaluation.isMissingNode()
                  && evaluation.equals(shownEvaluation.get(stage));
          if (sameEvaluation
              && Duration.between(shownAt.getOrDefault(stage, Instant.EPOCH), Instant.now())
                      .toSeconds()
                  < 15) {
            continue;
          }
          shownEvaluation.put(stage, evaluation);
          shownAt.put(stage, Instant.now());
          say("%-9s %-9s %s", stage, state, RunReport.describe(event));
          if (state.equals("FAILED")
              || state.equals("CANCELLED")
              || (stage.equals(lastStage) && state.equals("SUCCEEDED"))) {
            return status;
          }
        }
      }
      throw new IOException(
          "the pipeline did not finish within " + options.timeoutMinutes + " minutes");
    }
  }

  private Summary summarize(
      String pipelineId,
      Map<String, String> status,
      List<ServiceProcess> services,
      boolean judge,
      Duration wall)
      throws Exception {
    ServiceCalls calls = new ServiceCalls(options.apiKey());
    String trainer = services.get(1).url() + "/training-jobs/" + pipelineId + "-training";
    String dpo =
        options.dpoBeta == null
            ? null
            : services.get(1).url() + "/training-jobs/" + pipelineId + "-dpo";
    JsonNode pipeline =
        calls.await(
            services.get(0).url() + "/pipelines/" + pipelineId,
            view -> !"RUNNING".equals(view.path("status").asText()),
            Duration.ofSeconds(10));
    // the last inference job the pipeline ran (with DPO, the second: the DPO model's responses)
    String inferenceJob = pipelineId + "-inference";
    JsonNode jobs =
        pipeline == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : pipeline;
    for (JsonNode job : jobs.path("stages")) {
      if (Stage.INFERENCE.id().equals(job.path("stage").asText())) {
        inferenceJob = job.path("jobId").asText();
      }
    }
    String inference = services.get(2).url() + "/inference-jobs/" + inferenceJob;
    Summary summary =
        new Summary(
            pipelineId,
            status,
            calls.json(services.get(0).url() + "/datasets/" + pipelineId + "-dataset"),
            calls.json(trainer),
            calls.json(inference),
            "SUCCEEDED".equals(status.get("inference"))
                ? calls.json(inference + "/responses")
                : null,
            status.containsKey("scoring")
                ? calls.json(services.get(3).url() + "/scoring-jobs/" + pipelineId + "-scoring")
                : null,
            pipeline,
            wall,
            dpo == null ? null : calls.json(dpo));
    String lossPlot = calls.text(trainer + "/loss-plot", "image/svg+xml");
    Path report =
        options.artifacts.resolveSibling("reports").resolve(pipelineId).resolve("index.html");
    String dpoLossPlot = dpo == null ? null : calls.text(dpo + "/loss-plot", "image/svg+xml");
    ReportPage.write(report, summary, new ReportPage.Plots(lossPlot, dpoLossPlot), options);
    new RunReport(options, out).print(summary, judge, services.get(3).url());
    out.printf("%nreport: %s%n", report);
    return summary;
  }

  private void say(String format, Object... args) {
    out.printf(
        "[%s] %s%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS), String.format(format, args));
  }
}
