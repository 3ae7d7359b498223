package io.llmft.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report's comparison: each source's average, each pair's statistics (or pairwise win rates),
 * the judges' agreement, and a plot of each pair's estimate with its 95% interval against the line
 * of no difference.
 */
final class ComparisonSection {
  private static final int WIDTH = 640;
  private static final int ROW = 36;
  private static final int LEFT = 170;
  private static final int RIGHT = 40;

  private ComparisonSection() {}

  static void append(StringBuilder h, JsonNode comparison) {
    if (comparison == null || comparison.isMissingNode() || comparison.isNull()) {
      return;
    }
    boolean pairwise = "pairwise".equals(comparison.path("mode").asText());
    h.append("<h2>Comparison</h2><p class=\"muted\">Mode ")
        .append(ReportPage.esc(comparison.path("mode").asText()))
        .append(", judge scale ")
        .append(comparison.at("/scale/min").asInt())
        .append("-")
        .append(comparison.at("/scale/max").asInt())
        .append("</p>");
    if (!pairwise) {
      h.append("<table id=\"comparison-sources\"><tr><th>source</th><th>scored</th>")
          .append("<th>average score</th><th>ROUGE-L F1</th></tr>");
      for (JsonNode source : comparison.path("sources")) {
        h.append("<tr><td>")
            .append(ReportPage.esc(source.path("name").asText()))
            .append("</td><td>")
            .append(source.path("scored").asInt())
            .append("</td><td>")
            .append(number(source.path("averageScore"), "%.2f"))
            .append("</td><td>")
            .append(number(source.at("/reference/rougeL"), "%.3f"))
            .append("</td></tr>");
      }
      h.append("</table>");
    }
    List<Estimate> estimates = new ArrayList<>();
    h.append("<table id=\"comparison\"><tr><th>pair</th><th>n</th><th>wins / ties / losses</th>")
        .append(
            pairwise
                ? "<th>win rate</th><th>95% interval</th><th>first position preferred</th></tr>"
                : "<th>mean difference</th><th>95% interval</th><th>Wilcoxon p</th></tr>");
    for (JsonNode pair : comparison.path(pairwise ? "pairwise" : "pairs")) {
      JsonNode stats = pairwise ? pair : pair.path("comparison");
      String name = pair.path("a").asText() + " vs " + pair.path("b").asText();
      double value = stats.path(pairwise ? "winRate" : "meanDifference").asDouble();
      JsonNode interval = stats.path("interval");
      estimates.add(
          new Estimate(
              name, value, interval.path("low").asDouble(), interval.path("high").asDouble()));
      h.append("<tr><td>")
          .append(ReportPage.esc(name))
          .append("</td><td>")
          .append(stats.path("n").asInt())
          .append("</td><td>")
          .append(stats.path("wins").asInt())
          .append(" / ")
          .append(stats.path("ties").asInt())
          .append(" / ")
          .append(stats.path("losses").asInt())
          .append("</td><td>")
          .append(String.format(Locale.ROOT, pairwise ? "%.3f" : "%+.2f", value))
          .append("</td><td>")
          .append(
              String.format(
                  Locale.ROOT,
                  pairwise ? "[%.3f, %.3f]" : "[%+.2f, %+.2f]",
                  interval.path("low").asDouble(),
                  interval.path("high").asDouble()))
          .append("</td><td>")
          .append(
              pairwise
                  ? String.format(Locale.ROOT, "%.3f", stats.path("firstPositionRate").asDouble())
                  : String.format(
                      Locale.ROOT,
                      "%.4g (%s)",
                      stats.path("wilcoxonP").asDouble(),
                      ReportPage.esc(stats.path("wilcoxonMethod").asText())))
          .append("</td></tr>");
    }
    h.append("</table>");
    h.append(plot(estimates, pairwise));
    JsonNode agreement = comparison.path("agreement");
    if (!agreement.isMissingNode() && !agreement.isNull()) {
      JsonNode a = agreement.path("agreement");
      h.append("<p id=\"agreement\">")
          .append(ReportPage.esc(agreement.path("secondJudge").asText()))
          .append(" against ")
          .append(ReportPage.esc(agreement.path("firstJudge").asText()))
          .append(
              String.format(
                  Locale.ROOT,
                  " over %d responses: Pearson %.3f, Spearman %.3f, Kendall %.3f, mean absolute"
                      + " difference %.2f (0-100)",
                  a.path("n").asInt(),
                  a.path("pearson").asDouble(),
                  a.path("spearman").asDouble(),
                  a.path("kendall").asDouble(),
                  a.path("meanAbsoluteDifference").asDouble()))
          .append("</p>");
    }
  }

  private record Estimate(String name, double value, double low, double high) {}

  /** Each estimate as a dot on its interval; the dashed line is no difference (0, or 0.5). */
  static String plot(List<Estimate> estimates, boolean pairwise) {
    double none = pairwise ? 0.5 : 0;
    double min = pairwise ? 0 : none;
    double max = pairwise ? 1 : none;
    for (Estimate e : estimates) {
      min = Math.min(min, Double.isNaN(e.low) ? e.value : e.low);
      max = Math.max(max, Double.isNaN(e.high) ? e.value : e.high);
    }
    if (max - min < 1e-9) {
      min -= 1;
      max += 1;
    }
    double lo = min;
    double span = max - min;
    int height = ROW * estimates.size() + 40;
    java.util.function.DoubleUnaryOperator x = v -> LEFT + (WIDTH - LEFT - RIGHT) * (v - lo) / span;
    StringBuilder s = new StringBuilder();
    s.append("<svg id=\"comparison-plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" role=\"img\"><title>")
        .append(pairwise ? "win rate" : "mean score difference")
        .append(" with 95% intervals</title>");
    s.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>",
            x.applyAsDouble(none),
            x.applyAsDouble(none),
            height - 25));
    for (int i = 0; i < estimates.size(); i++) {
      Estimate e = estimates.get(i);
      int y = 30 + i * ROW;
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"13\">%s</text>",
              LEFT - 10,
              y + 4,
              ReportPage.esc(e.name)));
      if (!Double.isNaN(e.low) && !Double.isNaN(e.high)) {
        s.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#1f77b4\" stroke-width=\"2\"/>",
                x.applyAsDouble(e.low),
                y,
                x.applyAsDouble(e.high),
                y));
      }
      s.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%d\" r=\"5\" fill=\"#1f77b4\"/>",
              x.applyAsDouble(e.value),
              y));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#555\">%.2f</text>"
                + "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#555\" text-anchor=\"end\">%.2f</text>",
            LEFT,
            height - 8,
            min,
            WIDTH - RIGHT,
            height - 8,
            max));
    return s.append("</svg>").toString();
  }

  private static String number(JsonNode value, String format) {
    return value.isNumber() ? String.format(Locale.ROOT, format, value.asDouble()) : "";
  }
}
