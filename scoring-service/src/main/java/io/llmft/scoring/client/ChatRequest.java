package io.llmft.scoring.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The book's {@code query_model} request to Ollama's {@code /api/chat}: one user message, {@code
 * seed 123}, {@code temperature 0}, {@code num_ctx 2048}; streaming (Ollama's default) unless
 * {@code stream} is false; {@code format} a JSON schema the answer must follow (structured
 * outputs), or absent for free text.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatRequest(
    String model, List<Message> messages, Options options, JsonNode format, Boolean stream) {
  public record Message(String role, String content) {}

  public record Options(int seed, double temperature, int num_ctx) {}

  public static ChatRequest book(String model, String prompt, JsonNode format, boolean stream) {
    return new ChatRequest(
        model,
        List.of(new Message("user", prompt)),
        new Options(123, 0, 2048),
        format,
        stream ? null : Boolean.FALSE);
  }
}
