package io.llmft.scoring.service;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reference metrics of responses against the expected outputs, which need no judge: ROUGE-L F1 (the
 * longest common subsequence of lowercased words; the mean over entries) and exact match (the share
 * of responses equal to their output once trimmed and lowercased). A judge reads meaning; these
 * count shared words, so they are reported beside the judge's score, never as it.
 */
public record ReferenceMetrics(int entries, double rougeL, double exactMatch) {

  public static ReferenceMetrics of(List<JsonNode> entries, String responseKey) {
    double rouge = 0;
    int exact = 0;
    for (JsonNode e : entries) {
      String expected = io.llmft.scoring.judge.JudgedEntry.reference(e);
      String response = e.path(responseKey).asText("");
      rouge += rougeL(expected, response);
      if (normalize(expected).equals(normalize(response))) {
        exact++;
      }
    }
    int n = Math.max(1, entries.size());
    return new ReferenceMetrics(entries.size(), rouge / n, (double) exact / n);
  }

  /** ROUGE-L F1 of two texts: LCS over their lowercased words; 1 when both are empty. */
  static double rougeL(String reference, String candidate) {
    String[] ref = words(reference);
    String[] cand = words(candidate);
    if (ref.length == 0 || cand.length == 0) {
      return ref.length == cand.length ? 1 : 0;
    }
    int[] previous = new int[cand.length + 1];
    int[] current = new int[cand.length + 1];
    for (String r : ref) {
      for (int j = 1; j <= cand.length; j++) {
        current[j] =
            r.equals(cand[j - 1]) ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
      Arrays.fill(current, 0);
    }
    int lcs = previous[cand.length];
    if (lcs == 0) {
      return 0;
    }
    double precision = (double) lcs / cand.length;
    double recall = (double) lcs / ref.length;
    return 2 * precision * recall / (precision + recall);
  }

  private static String[] words(String text) {
    String normalized = normalize(text).replaceAll("[^\\p{L}\\p{N}\\s]", " ").trim();
    return normalized.isEmpty() ? new String[0] : normalized.split("\\s+");
  }

  private static String normalize(String text) {
    return text.strip().toLowerCase(Locale.ROOT);
  }
}
