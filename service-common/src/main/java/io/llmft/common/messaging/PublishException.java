package io.llmft.common.messaging;

/** The broker did not take a record in time. */
public class PublishException extends RuntimeException {
  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
