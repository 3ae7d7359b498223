package io.llmft.runner;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the summary and the report show of a response row: the book's instruction, input and output,
 * or for a conversation its last user turn, the turns before it as input, and the assistant's turn
 * after it as the expected answer.
 */
final class ResponseRows {
  private ResponseRows() {}

  private static int lastUser(JsonNode messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).path("role").asText())) {
        return i;
      }
    }
    return -1;
  }

  static String instruction(JsonNode e) {
    JsonNode m = e.path("messages");
    if (!m.isArray()) {
      return e.path("instruction").asText();
    }
    int last = lastUser(m);
    return last < 0 ? "" : m.get(last).path("content").asText();
  }

  static String input(JsonNode e) {
    JsonNode m = e.path("messages");
    if (!m.isArray()) {
      return e.path("input").asText("");
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < lastUser(m); i++) {
      b.append(b.length() == 0 ? "" : " | ")
          .append(m.get(i).path("role").asText())
          .append(": ")
          .append(m.get(i).path("content").asText());
    }
    return b.toString();
  }

  static String expected(JsonNode e) {
    JsonNode m = e.path("messages");
    if (!m.isArray()) {
      return e.path("output").asText();
    }
    int last = lastUser(m);
    return last >= 0 && last + 1 < m.size() ? m.get(last + 1).path("content").asText() : "";
  }
}
