package io.llmft.common.store;

/** A job, dataset or model that the artifact store does not hold. */
public class NotFoundException extends StoreException {
  public NotFoundException(String what, String id) {
    super(what + " '" + id + "' does not exist");
  }
}
