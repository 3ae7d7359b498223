package io.llmft.serving;

/** The decode loop has as many requests waiting as it accepts. */
public final class QueueFullException extends Exception {
  public QueueFullException(int waiting) {
    super(waiting + " requests are waiting for this model already");
  }
}
