package io.llmft.scoring.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceMetricsTest {
  @Test
  void rougeLIsTheF1OfTheLongestCommonSubsequenceOfWords() {
    // LCS of "the cat sat on the mat" and "the cat is on the mat": the cat on the mat (5 words)
    assertEquals(
        5.0 / 6,
        ReferenceMetrics.rougeL("The cat sat on the mat.", "the cat is on the mat"),
        1e-12);
    assertEquals(1.0, ReferenceMetrics.rougeL("Jane Austen.", "jane austen"), 1e-12);
    assertEquals(0.0, ReferenceMetrics.rougeL("Jane Austen.", ""), 1e-12);
    // precision 2/4, recall 2/2: F1 = 2/3
    assertEquals(2.0 / 3, ReferenceMetrics.rougeL("red blue", "red green blue yellow"), 1e-12);
  }

  @Test
  void averagedOverTheEntriesWithTheShareOfExactAnswers() throws Exception {
    var entries =
        new ObjectMapper()
            .readTree(
                """
                [{"output": "Jane Austen.", "model_response": "jane austen."},
                 {"output": "The car is as fast as lightning.", "model_response": "The car is fast."},
                 {"output": "Cumulonimbus.", "model_response": ""}]
                """);
    ReferenceMetrics m =
        ReferenceMetrics.of(
            List.of(entries.get(0), entries.get(1), entries.get(2)), "model_response");
    assertEquals(3, m.entries());
    // 1; LCS "the car is fast": precision 4/4, recall 4/7, F1 8/11; 0
    assertEquals((1 + 8.0 / 11 + 0) / 3, m.rougeL(), 1e-12);
    assertEquals(1.0 / 3, m.exactMatch(), 1e-12);
  }
}
