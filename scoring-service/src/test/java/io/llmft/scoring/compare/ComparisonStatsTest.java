package io.llmft.scoring.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The comparison statistics against what numpy and scipy compute on the same scores ({@code
 * tools/reference/comparison_stats.py} wrote {@code comparison-stats/reference.json}): the book's
 * GPT-4 scores of two models (ties and zeros: the normal approximation), 20 distinct differences
 * (the exact distribution), 10 entries with ties and a zero (every sign assignment), and the book's
 * GPT-4 against Llama 3 correlations.
 */
class ComparisonStatsTest {
  private static JsonNode reference() throws Exception {
    try (var in =
        ComparisonStatsTest.class.getResourceAsStream("/comparison-stats/reference.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  private static double[] values(JsonNode array) {
    double[] v = new double[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.get(i).asDouble();
    }
    return v;
  }

  @Test
  void winsIntervalAndPValueAreNumpysAndScipys() throws Exception {
    Map<String, String> methods =
        Map.of("gpt4-model-1-vs-2", "normal", "exact", "exact", "permutation", "permutation");
    JsonNode comparisons = reference().path("comparisons");
    for (var c : (Iterable<Map.Entry<String, JsonNode>>) comparisons::fields) {
      JsonNode ref = c.getValue();
      ScoreComparison got =
          ScoreComparison.of(values(ref.get("a")), values(ref.get("b")), 20_000, 7);
      String name = c.getKey();
      assertEquals(ref.get("wins").asInt(), got.wins(), name);
      assertEquals(ref.get("ties").asInt(), got.ties(), name);
      assertEquals(ref.get("losses").asInt(), got.losses(), name);
      assertEquals(ref.get("meanDifference").asDouble(), got.meanDifference(), 1e-12, name);
      assertEquals(ref.get("wilcoxonP").asDouble(), got.wilcoxonP(), 1e-12, name);
      assertEquals(methods.get(name), got.wilcoxonMethod(), name);
      // the same percentile interval from another random stream: within its Monte Carlo error
      double width = ref.at("/interval/1").asDouble() - ref.at("/interval/0").asDouble();
      assertEquals(ref.at("/interval/0").asDouble(), got.interval().low(), 0.03 * width, name);
      assertEquals(ref.at("/interval/1").asDouble(), got.interval().high(), 0.03 * width, name);
    }
  }

  @Test
  void judgeAgreementIsTheBooksCorrelationAnalysis() throws Exception {
    JsonNode ref = reference().at("/agreement/gpt4-vs-llama3-model-1");
    Agreement got = Agreement.of(values(ref.get("x")), values(ref.get("y")));
    assertEquals(100, got.n());
    assertEquals(ref.get("pearson").asDouble(), got.pearson(), 1e-12);
    assertEquals(ref.get("spearman").asDouble(), got.spearman(), 1e-12);
    assertEquals(ref.get("kendall").asDouble(), got.kendall(), 1e-12);
    assertEquals(ref.get("meanAbsoluteDifference").asDouble(), got.meanAbsoluteDifference(), 1e-12);
    // as the book's notebook prints them
    assertEquals(0.80489, got.pearson(), 5e-6);
    assertEquals(0.698406, got.spearman(), 5e-7);
    assertEquals(0.57292, got.kendall(), 5e-6);
  }
}
