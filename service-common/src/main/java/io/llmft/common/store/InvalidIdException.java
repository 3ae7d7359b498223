package io.llmft.common.store;

/** An id that cannot name a path segment of the artifact store. */
public class InvalidIdException extends InvalidFieldException {
  public InvalidIdException(String field) {
    super(field, Ids.RULE);
  }
}
