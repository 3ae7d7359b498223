package io.llmft.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** What the main job prints about a run: a line per event, and the summary at the end. */
final class RunReport {
  private final RunnerOptions options;
  private final PrintStream out;

  RunReport(RunnerOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** One progress line of a job-events record. */
  static String describe(JsonNode event) {
    StringBuilder s = new StringBuilder();
    if (event.hasNonNull("progress")) {
      s.append(String.format("%3.0f%% ", 100 * event.get("progress").asDouble()));
    }
    JsonNode m = event.path("metrics");
    if (m.has("last")) {
      s.append(
          String.format(
              "step %d/%d, train loss %.3f, val loss %.3f",
              m.get("step").asInt(),
              m.get("totalSteps").asInt(),
              m.at("/last/trainLoss").asDouble(),
              m.at("/last/valLoss").asDouble()));
    } else if (m.has("completed")) {
      s.append(m.get("completed").asInt()).append('/').append(m.get("total").asInt());
      if (m.has("averageScore")) {
        s.append(String.format(", average score %.2f", m.get("averageScore").asDouble()));
      }
    } else if (m.has("train")) {
      s.append(
          String.format(
              "train %d, validation %d, test %d",
              m.get("train").asInt(), m.get("validation").asInt(), m.get("test").asInt()));
    }
    if (event.hasNonNull("error")) {
      s.append("error: ").append(event.get("error").asText());
    }
    return s.toString();
  }

  /**
   * The summary at the end: losses, timings, three samples, the judge's average or how to get it.
   */
  void print(PipelineRunner.Summary s, boolean judge, String scoringUrl) {
    out.println();
    out.printf(
        "=== pipeline %s: %s in %s ===%n",
        s.pipelineId(),
        s.succeeded() ? "SUCCEEDED" : "did not succeed",
        s.wallTime().truncatedTo(ChronoUnit.SECONDS).toString().substring(2).toLowerCase());
    out.println("stages: " + s.finalStatus());
    if (options.baseModelPath == null) {
      out.printf(
          "base model: random-init GPT-2 (emb_dim %d, %d layers, %d heads, context %d), trained from"
              + " scratch on 935 entries: it learns the answer format and common phrasings, not"
              + " facts; give --base-model DIR for a real GPT-2.%n",
          options.embDim, options.layers, options.heads, options.contextLength);
    } else {
      out.println("base model: " + options.baseModelPath);
    }
    List<TrainingPlan.Difference> differences = TrainingPlan.of(options).differences();
    if (!differences.isEmpty()) {
      out.println("settings that differ from the book's chapter 7:");
      for (TrainingPlan.Difference d : differences) {
        out.printf("  %s %s (book: %s): %s%n", d.name(), d.value(), d.book(), d.why());
      }
    }
    JsonNode t = s.training();
    if (t != null && t.has("initialLosses")) {
      JsonNode metrics = t.path("metrics");
      JsonNode last = metrics.size() > 0 ? metrics.get(metrics.size() - 1) : null;
      out.printf(
          "losses: initial train %.3f, validation %.3f",
          t.at("/initialLosses/train").asDouble(), t.at("/initialLosses/validation").asDouble());
      if (last != null) {
        out.printf(
            " -> final (step %d) train %.3f, validation %.3f",
            last.get("step").asInt(),
            last.get("trainLoss").asDouble(),
            last.get("valLoss").asDouble());
      }
      out.printf(
          "%ntraining: %d steps in %.1f s on %s%n",
          t.path("step").asInt(), t.path("trainingSeconds").asDouble(), t.path("device").asText());
    }
    if (t != null && t.hasNonNull("error")) {
      out.println("training error: " + t.get("error").asText());
    }
    JsonNode dpo = s.dpo();
    if (dpo != null) {
      JsonNode metrics = dpo.path("metrics");
      JsonNode last = metrics.size() > 0 ? metrics.get(metrics.size() - 1) : null;
      out.printf(
          "dpo (beta %s, against %s): %d steps, losses: initial train %.4f",
          dpo.at("/hyperparameters/beta").asText(),
          dpo.path("baseModel").asText(),
          dpo.path("step").asInt(),
          dpo.at("/initialLosses/train").asDouble());
      if (last != null) {
        out.printf(
            " -> final train %.4f, rewards chosen %.4f, rejected %.4f (not times beta)",
            last.path("trainLoss").asDouble(),
            last.path("trainChosenReward").asDouble(),
            last.path("trainRejectedReward").asDouble());
      }
      out.printf("; %s%n", dpo.path("status").asText());
    }
    JsonNode inf = s.inference();
    if (inf != null && inf.has("generationSeconds")) {
      out.printf(
          "inference: %d responses, %d tokens in %.1f s (%.1f tokens/s, batches of %d) on %s%n",
          inf.path("completed").asInt(),
          inf.path("generatedTokens").asLong(),
          inf.path("generationSeconds").asDouble(),
          inf.path("generatedTokens").asLong()
              / Math.max(1e-9, inf.path("generationSeconds").asDouble()),
          inf.path("batchSize").asInt(),
          inf.path("device").asText());
    }
    if (s.responses() != null) {
      for (int i = 0; i < Math.min(3, s.responses().size()); i++) {
        JsonNode e = s.responses().get(i);
        out.printf("%nsample %d%n  instruction: %s%n", i + 1, ResponseRows.instruction(e));
        if (!ResponseRows.input(e).isEmpty()) {
          out.printf("  input:       %s%n", ResponseRows.input(e));
        }
        out.printf(
            "  expected:    %s%n  model:       %s%n",
            ResponseRows.expected(e), e.path("model_response").asText());
      }
      out.println();
    }
    JsonNode reference = s.scoring() == null ? null : s.scoring().get("reference");
    JsonNode comparison = s.scoring() == null ? null : s.scoring().get("comparison");
    if (judge && comparison != null && !comparison.isNull()) {
      for (JsonNode source : comparison.path("sources")) {
        out.printf(
            "average judge score of %s: %.2f over %d scored responses%n",
            source.path("name").asText(),
            source.path("averageScore").asDouble(),
            source.path("scored").asInt());
      }
      for (JsonNode pair : comparison.path("pairs")) {
        JsonNode c = pair.path("comparison");
        out.printf(
            "%s against %s over %d entries: %d wins, %d ties, %d losses; mean difference %+.2f"
                + " (95%% interval %+.2f to %+.2f), Wilcoxon p %.4g%n",
            pair.path("a").asText(),
            pair.path("b").asText(),
            c.path("n").asInt(),
            c.path("wins").asInt(),
            c.path("ties").asInt(),
            c.path("losses").asInt(),
            c.path("meanDifference").asDouble(),
            c.at("/interval/low").asDouble(),
            c.at("/interval/high").asDouble(),
            c.path("wilcoxonP").asDouble());
      }
    } else if (judge && s.scoring() != null) {
      out.printf(
          "average judge score: %s over %d scored responses (%d unparsed) by %s at %s%n",
          s.scoring().hasNonNull("averageScore")
              ? String.format("%.2f", s.scoring().get("averageScore").asDouble())
              : "n/a",
          s.scoring().path("scored").asInt(),
          s.scoring().path("unparsed").size(),
          s.scoring().path("judgeModel").asText(),
          s.scoring().path("judgeUrl").asText());
    }
    if (reference != null) {
      out.printf(
          "reference metrics against the expected outputs (word overlap, not the judge): ROUGE-L F1"
              + " %.3f, exact match %.1f%% over %d responses%n",
          reference.path("rougeL").asDouble(),
          100 * reference.path("exactMatch").asDouble(),
          reference.path("entries").asInt());
    }
    if (!judge) {
      out.printf(
          "judge: none answered at %s. With an Ollama server running llama3, score these responses with:%n"
              + "  curl -X POST %s/scoring-jobs -H 'Content-Type: application/json' -H \"Authorization: Bearer $API_KEY\" \\%n"
              + "       -d '{\"inferenceJobId\": \"%s\", \"judge\": {\"url\": \"http://localhost:11434\"}}'%n",
          options.ollama,
          scoringUrl,
          s.inference() == null
              ? s.pipelineId() + "-inference"
              : s.inference().path("id").asText(s.pipelineId() + "-inference"));
    }
  }
}
