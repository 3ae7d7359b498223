package io.llmft.scoring.client;

import java.io.IOException;

/** A judge's answer went past {@code judge.max-answer-bytes}: the rest of it is not read. */
final class AnswerTooLarge extends IOException {
  AnswerTooLarge(long limit) {
    super("the answer is longer than " + limit + " bytes (judge.max-answer-bytes)");
  }
}
