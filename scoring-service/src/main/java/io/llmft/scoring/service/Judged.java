package io.llmft.scoring.service;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.OptionalInt;

/**
 * One judged entry as the job's progress log keeps it: the judge's raw answer (empty for an empty
 * response, which scores 0 without a call) and whether it was asked.
 */
@RegisterForReflection
public record Judged(int index, String raw, boolean asked) {
  /** The score, as the book's {@code int(score)} reads the answer; 0 for an empty response. */
  public OptionalInt score() {
    return asked ? BookJudgePrompt.parse(raw) : OptionalInt.of(0);
  }
}
