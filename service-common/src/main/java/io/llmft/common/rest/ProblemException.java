package io.llmft.common.rest;

import java.util.List;

/** A request or message that is refused, with the problem to answer. */
public class ProblemException extends RuntimeException {
  private final int status;
  private final String title;
  private final List<FieldError> errors;

  public ProblemException(int status, String title, String detail, List<FieldError> errors) {
    super(detail);
    this.status = status;
    this.title = title;
    this.errors = List.copyOf(errors);
  }

  public static ProblemException invalid(List<FieldError> errors) {
    StringBuilder detail = new StringBuilder();
    for (FieldError e : errors) {
      detail
          .append(detail.length() == 0 ? "" : "; ")
          .append(e.field())
          .append(": ")
          .append(e.message());
    }
    return new ProblemException(400, "Invalid request", detail.toString(), errors);
  }

  public static ProblemException invalid(String field, String message) {
    return invalid(List.of(new FieldError(field, message)));
  }

  public static ProblemException unavailable(String detail) {
    return new ProblemException(503, "Service unavailable", detail, List.of());
  }

  public static ProblemException conflict(String detail) {
    return new ProblemException(409, "Conflict", detail, List.of());
  }

  /** The invalid fields (none for problems of other kinds). */
  public List<FieldError> errors() {
    return errors;
  }

  public int status() {
    return status;
  }

  public Problem toProblem() {
    return new Problem("about:blank", title, status, getMessage(), errors);
  }
}
