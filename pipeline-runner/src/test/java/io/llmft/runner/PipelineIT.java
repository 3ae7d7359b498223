package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.FakeOllama;
import io.llmft.common.HeadlessChromium;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The whole chapter over the real broker: the four packaged services as processes, one message to
 * {@code dataset-jobs}, a tiny random-init model, and a local server speaking Ollama's streaming
 * {@code /api/chat} as the judge.
 */
class PipelineIT {
  /**
   * The main job with {@code --chat sample}: the bundled conversations, a GPT-2 that learns ChatML,
   * the test conversations' last turns answered in it, the judge shown the conversations.
   */
  @Test
  void theChatMainJobFinetunesOnConversationsAndAnswersTheirLastTurns() throws Exception {
    RunnerOptions options =
        RunnerOptions.parse(
            "--repository", "..",
            "--artifacts", "target/it-artifacts-chat",
            "--config", "16,1,2,256",
            "--chat", "sample",
            "--max-steps", "2",
            "--max-new-tokens", "4",
            "--port-base", "18181",
            "--timeout-minutes", "10");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (FakeOllama judge = new FakeOllama(prompt -> prompt.contains("user: ") ? "50" : "?")) {
      options.ollama = judge.url();
      var summary =
          new PipelineRunner(options, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();
      String output = printed.toString(StandardCharsets.UTF_8);
      assertEquals(
          Map.of(
              "dataset", "SUCCEEDED",
              "training", "SUCCEEDED",
              "inference", "SUCCEEDED",
              "scoring", "SUCCEEDED"),
          summary.finalStatus(),
          output);
      assertEquals("chat", summary.training().get("format").asText());
      assertEquals(2, summary.training().get("step").asInt());
      assertEquals(22, summary.responses().size(), "the sample's test split: 10% of 220");
      assertTrue(summary.responses().get(0).has("messages"));
      assertTrue(summary.responses().get(0).has("model_response"));
      assertTrue(
          judge.requests().stream().anyMatch(r -> r.toString().contains("user: ")),
          "the judge is shown the conversations");
      assertTrue(summary.scoring().get("scored").asInt() > 0, output);
    }
  }

  @Test
  void oneDatasetJobMessageRunsAllFourStagesToSucceeded() throws Exception {
    RunnerOptions options =
        RunnerOptions.parse(
            "--repository", "..",
            "--artifacts", "target/it-artifacts",
            "--config", "16,1,2,256",
            "--max-steps", "3",
            "--max-new-tokens", "4",
            "--port-base", "18181",
            "--timeout-minutes", "10");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (FakeOllama judge =
            new FakeOllama(prompt -> prompt.contains("score the model response") ? "37" : "?");
        OtlpCollector collector = new OtlpCollector()) {
      options.ollama = judge.url();
      options.serviceEnv.put("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url());
      options.serviceEnv.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
      options.serviceEnv.put("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "200ms");
      options.serviceEnv.put("LOG_JSON", "true");
      var summary =
          new PipelineRunner(options, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();
      String output = printed.toString(StandardCharsets.UTF_8);
      assertEquals(
          Map.of(
              "dataset",
              "SUCCEEDED",
              "training",
              "SUCCEEDED",
              "inference",
              "SUCCEEDED",
              "scoring",
              "SUCCEEDED"),
          summary.finalStatus(),
          output);
      assertEquals(3, summary.training().get("step").asInt());
      assertEquals(110, summary.responses().size(), "the book's test split");
      assertTrue(summary.responses().get(0).has("model_response"));
      assertEquals(
          110, summary.scoring().get("scored").asInt() + summary.scoring().get("unparsed").size());
      assertEquals(37.0, summary.scoring().get("averageScore").asDouble(), 1e-9);
      assertTrue(
          judge.requests().size() > 0 && judge.requests().size() <= 110,
          "empty responses are scored without a call");
      assertTrue(output.contains("average judge score: 37.00"), output);
      assertTrue(
          output.contains(
              "reference metrics against the expected outputs (word overlap, not the judge)"),
          output);
      assertTrue(summary.scoring().has("reference"), "every scoring job gives them");
      assertEquals("SUCCEEDED", summary.pipeline().path("status").asText(), "GET /pipelines/{id}");
      assertEquals(4, summary.pipeline().path("stages").size());
      Path report = Path.of("target/reports", summary.pipelineId(), "index.html").toAbsolutePath();
      assertTrue(output.contains("report: " + report), output);
      ChromeDriver browser = HeadlessChromium.start();
      try {
        browser.get(report.toUri().toString());
        assertEquals("SUCCEEDED", browser.findElement(By.id("status")).getText());
        assertTrue(browser.findElement(By.cssSelector("#loss-plot svg")).isDisplayed());
        assertEquals(111, browser.findElements(By.cssSelector("#responses tr")).size());
        assertTrue(browser.findElement(By.id("average")).getText().contains("37.00"));
        assertEquals(11, browser.findElements(By.cssSelector("#distribution tr")).size());
        assertTrue(browser.findElement(By.id("reference")).getText().contains("ROUGE-L F1"));
        HeadlessChromium.screenshot(browser, Path.of("target/report.png"));
      } finally {
        browser.quit();
      }
      assertTrue(output.contains("sample 1"), output);
      assertOneTrace(summary, collector, options);
      assertTrue(
          Path.of(
                  "target/it-artifacts/models",
                  summary.pipelineId() + "-training",
                  "model.safetensors")
              .toFile()
              .isFile());
    }
  }

  /**
   * The four stages' jobs share one trace, which the services exported to the collector (each its
   * job's run, and the Kafka records between them), and their JSON log lines carry it.
   */
  private static void assertOneTrace(
      PipelineRunner.Summary summary, OtlpCollector collector, RunnerOptions options)
      throws Exception {
    String traceId = summary.dataset().path("traceId").asText();
    assertEquals(32, traceId.length(), summary.dataset().toString());
    assertEquals(traceId, summary.training().path("traceId").asText());
    assertEquals(traceId, summary.inference().path("traceId").asText());
    assertEquals(traceId, summary.scoring().path("traceId").asText());
    Map<String, String> jobSpans =
        Map.of(
            "dataset job", "dataset-service",
            "training job", "trainer-service",
            "inference job", "inference-service",
            "scoring job", "scoring-service");
    long deadline = System.nanoTime() + 30_000_000_000L;
    List<OtlpCollector.ReceivedSpan> trace;
    do {
      Thread.sleep(200);
      trace = collector.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
    } while (System.nanoTime() < deadline
        && !trace.stream()
            .map(s -> s.name() + "@" + s.service())
            .collect(Collectors.toSet())
            .containsAll(
                jobSpans.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()).toList()));
    Set<String> names =
        trace.stream().map(s -> s.name() + "@" + s.service()).collect(Collectors.toSet());
    String received =
        collector.spans().size()
            + " spans received, of traces "
            + collector.spans().stream()
                .map(OtlpCollector.ReceivedSpan::traceId)
                .distinct()
                .toList();
    jobSpans.forEach(
        (span, service) ->
            assertTrue(
                names.contains(span + "@" + service), span + ": " + names + "; " + received));
    assertTrue(
        names.stream().anyMatch(n -> n.contains("inference-jobs")),
        "the hand-off record is in the trace: " + names);
    // LOG_JSON=true: one JSON object per line, the job runs' lines with the trace id
    ObjectMapper json = new ObjectMapper();
    boolean tracedLine = false;
    // the trainer says which malloc its tensors get: tcmalloc, preloaded where it is installed
    String allocator =
        "native allocator: " + (ServiceProcess.tcmalloc() ? "tcmalloc" : "glibc malloc");
    boolean allocatorLine = false;
    for (Path log : Files.list(options.artifacts.resolve("logs")).toList()) {
      for (String line : Files.readAllLines(log)) {
        if (line.startsWith("{")) {
          JsonNode entry = json.readTree(line);
          assertTrue(entry.has("message") && entry.has("level"), line);
          tracedLine |= traceId.equals(entry.at("/mdc/traceId").asText());
          allocatorLine |=
              log.getFileName().toString().startsWith("trainer-service")
                  && entry.path("message").asText().startsWith(allocator);
        }
      }
    }
    assertTrue(tracedLine, "no JSON log line carries the trace id " + traceId);
    assertTrue(allocatorLine, "the trainer's log says \"" + allocator + "\"");
  }

  /**
   * The book's next step in one message: the preference data, SFT, the SFT model's responses, DPO
   * of the SFT model against itself, the DPO model's responses, and a comparison of the two by the
   * judge.
   */
  @Test
  void aDpoPipelineRunsSftThenDpoThenInferenceAndScoring() throws Exception {
    RunnerOptions options =
        RunnerOptions.parse(
            "--repository", "..",
            "--artifacts", "target/it-artifacts-dpo",
            "--config", "16,1,2,256",
            "--max-steps", "2",
            "--dpo", "0.1",
            "--max-new-tokens", "4",
            "--port-base", "18181",
            "--timeout-minutes", "10");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (FakeOllama judge = new FakeOllama(prompt -> "41")) {
      options.ollama = judge.url();
      var summary =
          new PipelineRunner(options, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();
      String output = printed.toString(StandardCharsets.UTF_8);
      assertTrue(summary.succeeded(), output);
      JsonNode dpo = summary.dpo();
      assertEquals("SUCCEEDED", dpo.path("status").asText(), output);
      assertEquals("dpo", dpo.at("/hyperparameters/method").asText());
      assertEquals(summary.pipelineId() + "-training", dpo.path("baseModel").asText());
      assertEquals(Math.log(2), dpo.at("/initialLosses/train").asDouble(), 1e-6);
      assertTrue(dpo.at("/metrics/0").has("trainChosenReward"), dpo.toString());
      assertEquals("preference", summary.dataset().path("kind").asText());
      assertEquals(summary.pipelineId() + "-dpo", summary.inference().path("model").asText());
      assertEquals(110, summary.responses().size());
      assertTrue(output.contains("dpo (beta 0.1"), output);
      assertEquals(3, dpo.path("preferenceSamples").size(), dpo.toString());
      String html = Files.readString(Path.of("target/reports", summary.pipelineId(), "index.html"));
      assertTrue(html.contains("id=\"dpo-loss-plot\""), "the DPO loss plot is in the report");
      assertTrue(html.contains("Training reward margin"), "with the reward margins");
      assertEquals(
          4,
          html.split("id=\"dpo-samples\"")[1].split("</table>")[0].split("<tr>").length - 1,
          "a header and three entries before and after DPO");

      JsonNode comparison = summary.scoring().path("comparison");
      assertEquals("scores", comparison.path("mode").asText(), summary.scoring().toString());
      assertEquals("sft", comparison.at("/sources/0/name").asText());
      assertEquals("sft+dpo", comparison.at("/sources/1/name").asText());
      assertEquals(110, comparison.at("/sources/0/scores").size());
      JsonNode pair = comparison.at("/pairs/0/comparison");
      assertEquals(
          110,
          pair.path("wins").asInt() + pair.path("ties").asInt() + pair.path("losses").asInt(),
          pair.toString());
      assertTrue(output.contains("sft against sft+dpo over 110 entries"), output);
      assertTrue(html.contains("id=\"comparison\""), "the comparison table is in the report");
      assertTrue(html.contains("id=\"comparison-plot\""), "and its plot");
    }
  }
}
