package io.llmft.scoring.client;

/** The judge could not be asked or did not answer properly. */
public class JudgeException extends RuntimeException {
  private final boolean retryable;

  private JudgeException(String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** The judge is down, slow, or failed on its side (connection, timeout, 5xx): try again. */
  public static JudgeException unavailable(String message, Throwable cause) {
    return new JudgeException(message, cause, true);
  }

  /** The judge refused the request (4xx, e.g. an unknown model): retrying cannot help. */
  public static JudgeException rejected(String message, Throwable cause) {
    return new JudgeException(message, cause, false);
  }

  /**
   * The call was interrupted because its job was cancelled or stopped: not retried, and not counted
   * against the judge.
   */
  public static JudgeException interrupted(String message) {
    return new JudgeException(message, null, false);
  }

  public boolean retryable() {
    return retryable;
  }
}
