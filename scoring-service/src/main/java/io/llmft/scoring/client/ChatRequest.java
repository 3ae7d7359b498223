package io.llmft.scoring.client;

import java.util.List;

/**
 * The book's {@code query_model} request: one user message, {@code seed 123}, {@code temperature
 * 0}, {@code num_ctx 2048}; streaming (Ollama's default).
 */
public record ChatRequest(String model, List<Message> messages, Options options) {
  public record Message(String role, String content) {}

  public record Options(int seed, double temperature, int num_ctx) {}

  public static ChatRequest book(String model, String prompt) {
    return new ChatRequest(model, List.of(new Message("user", prompt)), new Options(123, 0, 2048));
  }
}
