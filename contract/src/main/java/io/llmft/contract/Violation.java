package io.llmft.contract;

/** One invalid field of a message: its JSON path and what is wrong with it. */
public record Violation(String field, String reason) {
  /** This violation under {@code parent} ({@code ""} is the value itself). */
  public Violation under(String parent) {
    return new Violation(
        field.isEmpty() ? parent : field.startsWith("[") ? parent + field : parent + "." + field,
        reason);
  }
}
