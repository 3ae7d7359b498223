package io.llmft.common.rest;

import java.util.List;

/** A request or message that is refused, with the problem to answer. */
public class ProblemException extends RuntimeException {
  private final int status;
  private final String title;
  private final List<FieldError> errors;
  private final long omitted;

  public ProblemException(int status, String title, String detail, List<FieldError> errors) {
    this(status, title, detail, errors, 0);
  }

  private ProblemException(
      int status, String title, String detail, List<FieldError> errors, long omitted) {
    super(detail);
    this.status = status;
    this.title = title;
    this.errors = List.copyOf(errors);
    this.omitted = omitted;
  }

  /** The most field errors a problem lists; the detail counts the rest. */
  public static final int MAX_ERRORS = 20;

  public static ProblemException invalid(List<FieldError> errors) {
    return invalid(errors, 0);
  }

  /**
   * A 400 listing the first {@link #MAX_ERRORS} errors.
   *
   * @param omitted errors found beyond those given, counted in the detail
   */
  public static ProblemException invalid(List<FieldError> errors, long omitted) {
    long more = omitted + Math.max(0, errors.size() - MAX_ERRORS);
    List<FieldError> listed = errors.subList(0, Math.min(errors.size(), MAX_ERRORS));
    StringBuilder detail = new StringBuilder();
    for (FieldError e : listed) {
      detail
          .append(detail.length() == 0 ? "" : "; ")
          .append(e.field())
          .append(": ")
          .append(e.message());
    }
    if (more > 0) {
      detail.append("; and ").append(more).append(" more error").append(more == 1 ? "" : "s");
    }
    return new ProblemException(400, "Invalid request", detail.toString(), listed, more);
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

  /** Invalid fields found beyond those {@link #errors} lists. */
  public long omitted() {
    return omitted;
  }

  public int status() {
    return status;
  }

  public Problem toProblem() {
    return new Problem("about:blank", title, status, getMessage(), errors);
  }
}
