package io.llmft.scoring.judge;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A 1-5 rubric with a one-sentence justification before the score, for judges too weak to place a
 * response on the book's 0-100 scale consistently: each level says what earns it, and the
 * justification makes the judge read the response before it scores.
 */
public final class RubricPrompt {
  static final String RUBRIC =
      "5: correct and complete, as good as the reference answer.\n"
          + "4: correct, with a minor omission or a small flaw in wording or format.\n"
          + "3: partly correct, or correct but missing an important part of the task.\n"
          + "2: mostly incorrect, but related to the task.\n"
          + "1: wrong, unrelated, or empty.";

  private RubricPrompt() {}

  public static String prompt(JsonNode entry, String responseKey, boolean json) {
    return "You grade the response of a model to an instruction, against a reference answer.\n\n"
        + "Instruction:\n`"
        + JudgedEntry.input(entry)
        + "`\n\nReference answer:\n`"
        + JudgedEntry.reference(entry)
        + "`\n\nModel response:\n`"
        + entry.path(responseKey).asText("")
        + "`\n\nScore the model response on this scale:\n"
        + RUBRIC
        + "\n\n"
        + (json
            ? "Respond with a JSON object: a one-sentence justification, then the score from 1 to 5."
            : "Respond with a one-sentence justification, then a last line `Score: N` where N is"
                + " from 1 to 5.");
  }
}
