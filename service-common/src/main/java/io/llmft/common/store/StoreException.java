package io.llmft.common.store;

/** A failure of the artifact store that callers may turn into an answer (never an HTTP type). */
public abstract class StoreException extends RuntimeException {
  protected StoreException(String message) {
    super(message);
  }
}
