package io.llmft.scoring.client;

/** The judge could not be asked or did not answer properly. */
public class JudgeException extends RuntimeException {
  public JudgeException(String message, Throwable cause) {
    super(message, cause);
  }

  public JudgeException(String message) {
    super(message);
  }
}
