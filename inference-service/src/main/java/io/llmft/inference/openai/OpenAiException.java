package io.llmft.inference.openai;

/** A refused {@code /v1} request, answered in OpenAI's error shape. */
final class OpenAiException extends RuntimeException {
  final int status;
  final String param;
  final String code;

  OpenAiException(int status, String message, String param, String code) {
    super(message);
    this.status = status;
    this.param = param;
    this.code = code;
  }

  static OpenAiException invalid(String param, String message) {
    return new OpenAiException(400, message, param, null);
  }
}
