package io.llmft.common.store;

/** A request field whose value the store cannot use, e.g. an id that is no safe path segment. */
public class InvalidFieldException extends StoreException {
  private final String field;
  private final String reason;

  public InvalidFieldException(String field, String reason) {
    super(field + ": " + reason);
    this.field = field;
    this.reason = reason;
  }

  public String field() {
    return field;
  }

  public String reason() {
    return reason;
  }
}
