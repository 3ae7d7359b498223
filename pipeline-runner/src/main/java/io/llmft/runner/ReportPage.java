package io.llmft.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The main job's report, one self-contained HTML page: the settings and timings, the book's loss
 * plot (the trainer's SVG), the sample after every epoch, the judge's average and the distribution
 * of its scores (or the reference metrics, labelled as such), and the test responses next to the
 * expected outputs.
 */
final class ReportPage {
  private ReportPage() {}

  /** Writes the page atomically (a temporary file moved into place). */
  static void write(Path file, PipelineRunner.Summary s, Plots plots, RunnerOptions options)
      throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, html(s, plots, options), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The trainer's loss plots (SVG) of the finetuning and, when the run had one, the DPO job. */
  record Plots(String training, String dpo) {}

  static String html(PipelineRunner.Summary s, Plots plots, RunnerOptions options) {
    StringBuilder h = new StringBuilder();
    JsonNode training = s.training() == null ? missing() : s.training();
    JsonNode scoring = s.scoring() == null ? missing() : s.scoring();
    String status =
        s.pipeline() != null
            ? s.pipeline().path("status").asText()
            : s.succeeded() ? "SUCCEEDED" : "FAILED";
    h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Pipeline ")
        .append(esc(s.pipelineId()))
        .append("</title><style>")
        .append(
            "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1d2330}")
        .append(
            "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #d8dce4;")
        .append("padding:.3rem .5rem;vertical-align:top;text-align:left}th{background:#f1f3f7}")
        .append(".bar{background:#1f77b4;height:1rem}.muted{color:#6b7385}")
        .append("</style></head><body>");
    h.append("<h1>Pipeline ")
        .append(esc(s.pipelineId()))
        .append(": <span id=\"status\">")
        .append(esc(status))
        .append("</span></h1>");
    h.append("<p class=\"muted\">")
        .append(String.format("%.0f", s.wallTime().toMillis() / 1000.0))
        .append(" s in all. Stages: ")
        .append(esc(String.valueOf(s.finalStatus())))
        .append("</p>");

    settings(h, s, training, TrainingPlan.of(options).differences());
    losses(h, training, plots.training());
    samples(h, training);
    if (s.dpo() != null) {
      preferenceTuning(h, s.dpo(), plots.dpo());
    }
    Map<Integer, Integer> scoreOf = scores(h, scoring);
    ComparisonSection.append(h, scoring.path("comparison"));
    responses(h, s, scoreOf);
    h.append("<p class=\"muted\">Artifacts: ")
        .append(esc(options.artifacts.toString()))
        .append("</p></body></html>\n");
    return h.toString();
  }

  private static void settings(
      StringBuilder h,
      PipelineRunner.Summary s,
      JsonNode training,
      List<TrainingPlan.Difference> differences) {
    h.append("<h2>Settings</h2><table>");
    row(h, "base model", training.path("baseModel").asText());
    row(h, "dataset", training.path("datasetId").asText());
    JsonNode hp = training.path("hyperparameters");
    row(h, "epochs, batch size", hp.path("epochs").asText() + ", " + hp.path("batchSize").asText());
    row(
        h,
        "learning rate, weight decay",
        hp.path("learningRate").asText() + ", " + hp.path("weightDecay").asText());
    row(
        h,
        "warmup, decay",
        hp.path("warmupSteps").asText() + " steps, " + hp.path("lrDecay").asText());
    row(
        h,
        "evaluation every, batches",
        hp.path("evalFreq").asText() + " steps, " + hp.path("evalIter").asText());
    row(
        h,
        "precision, device",
        hp.path("precision").asText() + ", " + training.path("device").asText());
    row(
        h,
        "model family, parameters",
        training.path("family").asText("gpt2") + ", " + training.path("parameterCount").asText());
    row(
        h,
        "training",
        String.format(
            "%d steps in %.1f s",
            training.path("step").asInt(), training.path("trainingSeconds").asDouble()));
    if (s.inference() != null) {
      row(
          h,
          "inference",
          s.inference().path("generatedTokens").asText()
              + " tokens in "
              + String.format("%.1f s", s.inference().path("generationSeconds").asDouble()));
    }
    h.append("</table>");
    if (!differences.isEmpty()) {
      h.append(
          "<p id=\"differences\">Where this run leaves the book's chapter-7 settings:</p><ul>");
      for (TrainingPlan.Difference d : differences) {
        h.append("<li><b>")
            .append(esc(d.name()))
            .append("</b> ")
            .append(esc(d.value()))
            .append(" (book: ")
            .append(esc(d.book()))
            .append("): ")
            .append(esc(d.why()))
            .append("</li>");
      }
      h.append("</ul>");
    }
  }

  private static void losses(StringBuilder h, JsonNode training, String lossPlotSvg) {
    h.append("<h2>Losses</h2>");
    h.append(
        String.format(
            "<p>Initial: training %.3f, validation %.3f</p>",
            training.at("/initialLosses/train").asDouble(Double.NaN),
            training.at("/initialLosses/validation").asDouble(Double.NaN)));
    if (lossPlotSvg != null) {
      h.append("<figure id=\"loss-plot\">")
          .append(lossPlotSvg.replaceFirst("^<\\?xml[^>]*>", ""))
          .append("</figure>");
    }
  }

  /**
   * The DPO stage as the notebook ends: its losses and reward margins, and the first validation
   * entries answered before DPO (the frozen reference) and after.
   */
  private static void preferenceTuning(StringBuilder h, JsonNode dpo, String lossPlotSvg) {
    h.append("<h2 id=\"dpo\">Preference tuning (DPO)</h2><table>");
    JsonNode hp = dpo.path("hyperparameters");
    row(h, "status", dpo.path("status").asText());
    row(h, "beta", hp.path("beta").asText());
    row(h, "policy from, reference", dpo.path("baseModel").asText());
    row(
        h,
        "learning rate, weight decay",
        hp.path("learningRate").asText() + ", " + hp.path("weightDecay").asText());
    row(
        h,
        "training",
        String.format(
            "%d steps in %.1f s",
            dpo.path("step").asInt(), dpo.path("trainingSeconds").asDouble()));
    JsonNode metrics = dpo.path("metrics");
    if (metrics.size() > 0) {
      JsonNode last = metrics.get(metrics.size() - 1);
      row(
          h,
          "last evaluation: loss train, validation",
          String.format(
              "%.4f, %.4f (initial %.4f, %.4f)",
              last.path("trainLoss").asDouble(),
              last.path("valLoss").asDouble(),
              dpo.at("/initialLosses/train").asDouble(Double.NaN),
              dpo.at("/initialLosses/validation").asDouble(Double.NaN)));
      row(
          h,
          "reward margin train, validation",
          String.format(
              "%.4f, %.4f (rewards are log-probability differences, not times beta)",
              last.path("trainChosenReward").asDouble()
                  - last.path("trainRejectedReward").asDouble(),
              last.path("valChosenReward").asDouble() - last.path("valRejectedReward").asDouble()));
    }
    h.append("</table>");
    if (lossPlotSvg != null) {
      h.append("<figure id=\"dpo-loss-plot\">")
          .append(lossPlotSvg.replaceFirst("^<\\?xml[^>]*>", ""))
          .append("</figure>");
    }
    h.append(
        "<table id=\"dpo-samples\"><tr><th>instruction</th><th>input</th><th>preferred</th><th>before DPO</th><th>after DPO</th></tr>");
    for (JsonNode sample : dpo.path("preferenceSamples")) {
      h.append("<tr>");
      for (String f : new String[] {"instruction", "input", "chosen", "before", "after"}) {
        h.append("<td>").append(esc(sample.path(f).asText())).append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</table>");
  }

  private static void samples(StringBuilder h, JsonNode training) {
    h.append(
        "<h2>A sample after every epoch</h2><table id=\"samples\"><tr><th>epoch</th><th>step</th><th>response to the first validation prompt</th></tr>");
    for (JsonNode sample : training.path("samples")) {
      h.append("<tr><td>")
          .append(sample.path("epoch").asInt())
          .append("</td><td>")
          .append(sample.path("step").asInt())
          .append("</td><td>")
          .append(esc(sample.path("response").asText()))
          .append("</td></tr>");
    }
    h.append("</table>");
  }

  /** The judge's average and distribution, the reference metrics; returns each entry's score. */
  private static Map<Integer, Integer> scores(StringBuilder h, JsonNode scoring) {
    h.append("<h2>Scores</h2>");
    Map<Integer, Integer> scoreOf = new HashMap<>();
    if (scoring.hasNonNull("averageScore")) {
      h.append("<p id=\"average\">Average judge score <b>")
          .append(String.format("%.2f", scoring.get("averageScore").asDouble()))
          .append("</b> over ")
          .append(scoring.path("scored").asInt())
          .append(" responses by ")
          .append(esc(scoring.path("judgeModel").asText()))
          .append("</p>");
      int[] buckets = new int[10];
      for (JsonNode score : scoring.path("scores")) {
        scoreOf.put(score.path("index").asInt(), score.path("score").asInt());
        buckets[Math.min(9, score.path("score").asInt() / 10)]++;
      }
      int most = 1;
      for (int b : buckets) {
        most = Math.max(most, b);
      }
      h.append("<table id=\"distribution\"><tr><th>score</th><th>responses</th><th></th></tr>");
      for (int b = 0; b < 10; b++) {
        h.append("<tr><td>")
            .append(b * 10)
            .append("-")
            .append(b == 9 ? 100 : b * 10 + 9)
            .append("</td><td>")
            .append(buckets[b])
            .append("</td><td style=\"width:30rem\"><div class=\"bar\" style=\"width:")
            .append(100 * buckets[b] / most)
            .append("%\"></div></td></tr>");
      }
      h.append("</table>");
    } else if (!scoring.hasNonNull("comparison")) {
      h.append("<p>No judge scored this run.</p>");
    }
    JsonNode reference = scoring.path("reference");
    if (!reference.isMissingNode()) {
      h.append(
              "<p id=\"reference\">Reference metrics against the expected outputs (word overlap, not the judge): ROUGE-L F1 ")
          .append(String.format("%.3f", reference.path("rougeL").asDouble()))
          .append(", exact match ")
          .append(String.format("%.1f%%", 100 * reference.path("exactMatch").asDouble()))
          .append("</p>");
    }
    return scoreOf;
  }

  private static void responses(
      StringBuilder h, PipelineRunner.Summary s, Map<Integer, Integer> scoreOf) {
    h.append(
        "<h2>Test responses</h2><table id=\"responses\"><tr><th>#</th><th>instruction</th><th>input</th><th>expected</th><th>model</th><th>score</th></tr>");
    if (s.responses() != null) {
      int i = 0;
      for (JsonNode e : s.responses()) {
        h.append("<tr><td>")
            .append(i + 1)
            .append("</td><td>")
            .append(esc(ResponseRows.instruction(e)))
            .append("</td><td>")
            .append(esc(ResponseRows.input(e)))
            .append("</td><td>")
            .append(esc(ResponseRows.expected(e)))
            .append("</td><td>")
            .append(esc(e.path("model_response").asText()))
            .append("</td><td>")
            .append(scoreOf.containsKey(i) ? scoreOf.get(i) : "")
            .append("</td></tr>");
        i++;
      }
    }
    h.append("</table>");
  }

  private static void row(StringBuilder h, String name, String value) {
    h.append("<tr><th>")
        .append(esc(name))
        .append("</th><td>")
        .append(esc(value))
        .append("</td></tr>");
  }

  private static JsonNode missing() {
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  static String esc(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
