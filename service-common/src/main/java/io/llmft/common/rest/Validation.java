package io.llmft.common.rest;

import io.llmft.common.store.Ids;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects field errors of one request, then refuses it with all of them at once: the first {@link
 * ProblemException#MAX_ERRORS} and a count of the rest.
 */
public final class Validation {
  private final List<FieldError> errors = new ArrayList<>();
  private long omitted;

  public Validation check(boolean ok, String field, String message) {
    if (!ok) {
      add(new FieldError(field, message));
    }
    return this;
  }

  private void add(FieldError error) {
    if (errors.size() < ProblemException.MAX_ERRORS) {
      errors.add(error);
    } else {
      omitted++;
    }
  }

  /** A null value passes; otherwise a finite number from {@code min} to {@code max}. */
  public Validation between(Number value, double min, double max, String field) {
    return check(
        value == null
            || (Double.isFinite(value.doubleValue())
                && value.doubleValue() >= min
                && value.doubleValue() <= max),
        field,
        "must be from " + format(min) + " to " + format(max));
  }

  /** A null value passes; otherwise at most {@code max} characters. */
  public Validation maxLength(String value, int max, String field) {
    return check(
        value == null || value.length() <= max, field, "must be at most " + max + " characters");
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

  public Validation id(String value, String field) {
    return check(value == null || Ids.isValid(value), field, Ids.RULE);
  }

  /** Adds what a contract value said was wrong with it. */
  public Validation addAll(java.util.List<io.llmft.contract.Violation> violations) {
    violations.forEach(v -> add(new FieldError(v.field(), v.reason())));
    return this;
  }

  /** Counts errors found elsewhere and not listed (a nested problem's {@code omitted}). */
  public Validation omitted(long count) {
    omitted += count;
    return this;
  }

  public boolean hasErrors() {
    return !errors.isEmpty();
  }

  /**
   * @throws ProblemException 400 listing every error, if there are any
   */
  public void throwIfInvalid() {
    if (!errors.isEmpty()) {
      throw ProblemException.invalid(errors, omitted);
    }
  }
}
