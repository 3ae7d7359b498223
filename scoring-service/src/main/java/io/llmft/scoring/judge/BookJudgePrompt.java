package io.llmft.scoring.judge;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/** The book's {@code generate_model_scores} prompt and its {@code int(score)} parse. */
public final class BookJudgePrompt {
  private static final Pattern INTEGER = Pattern.compile("\\s*[+-]?\\d+\\s*");

  private BookJudgePrompt() {}

  public static String prompt(JsonNode entry, String responseKey) {
    return "Given the input `"
        + JudgedEntry.input(entry)
        + "` "
        + "and correct output `"
        + JudgedEntry.reference(entry)
        + "`, "
        + "score the model response `"
        + entry.path(responseKey).asText("")
        + "`"
        + " on a scale from 0 to 100, where 100 is the best score. "
        + "Respond with the integer number only.";
  }

  /** The score when the answer is an integer from 0 to 100, as Python's {@code int()} reads it. */
  public static OptionalInt parse(String answer) {
    if (answer == null || !INTEGER.matcher(answer).matches()) {
      return OptionalInt.empty();
    }
    try {
      int score = Integer.parseInt(answer.strip());
      return score >= 0 && score <= 100 ? OptionalInt.of(score) : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
