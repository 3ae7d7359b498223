package io.llmft.common.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * OpenAI's error body, {@code {"error": {"message", "type", "param", "code"}}}: what every error
 * under {@link #PREFIX} answers (problem+json everywhere else), so that OpenAI clients show it.
 */
public record OpenAiError(Body error) {
  /** The OpenAI-compatible API's path. */
  public static final String PREFIX = "/v1/";

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Body(String message, String type, String param, String code) {}

  public static OpenAiError of(int status, String message, String param, String code) {
    return new OpenAiError(new Body(message, type(status), param, code));
  }

  /** The same error as a problem says it. */
  public static OpenAiError of(Problem problem) {
    String param =
        problem.errors() == null || problem.errors().isEmpty()
            ? null
            : problem.errors().get(0).field();
    return of(problem.status(), problem.detail(), param, null);
  }

  public static boolean appliesTo(String path) {
    return path != null && path.startsWith(PREFIX);
  }

  /** OpenAI's error type for an HTTP status. */
  static String type(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 429 -> "rate_limit_error";
      default -> status >= 500 ? "server_error" : "invalid_request_error";
    };
  }
}
