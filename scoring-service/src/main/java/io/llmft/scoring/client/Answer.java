package io.llmft.scoring.client;

import java.time.Duration;

/**
 * A judge's answer as it arrives: pieces joined up to {@code judge.max-answer-chars}, within the
 * call's deadline.
 */
final class Answer {
  private final String judge;
  private final StringBuilder text = new StringBuilder();
  private final int maxChars;
  private final Duration timeout;
  private final long deadline;

  Answer(String judge, int maxChars, Duration timeout) {
    this.judge = judge;
    this.maxChars = maxChars;
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  /**
   * @throws JudgeException (retryable) past the deadline
   */
  void checkDeadline() {
    if (System.nanoTime() > deadline) {
      throw JudgeException.unavailable(
          judge + " did not finish its answer within " + timeout, null);
    }
  }

  /** Adds a piece; true once the answer is as long as it may be. */
  boolean append(String piece) {
    text.append(piece);
    return text.length() >= maxChars;
  }

  String text() {
    return text.length() > maxChars ? text.substring(0, maxChars) : text.toString();
  }
}
