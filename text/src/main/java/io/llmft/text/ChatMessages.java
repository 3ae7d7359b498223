package io.llmft.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI-style {@code messages} read into what a chat template sees: each a map in its own key
 * order with {@code role} (system, user, assistant or tool) and {@code content} (a string; text
 * parts joined with newlines, as vLLM does), its other fields ({@code tool_calls}, {@code name},
 * {@code tool_call_id}, {@code reasoning_content}) kept as they are. A bad message is an {@link
 * Invalid} naming its field.
 */
public final class ChatMessages {
  public static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChatMessages() {}

  /** A message that a template cannot be given: the field ({@code messages[2].role}) and why. */
  public static final class Invalid extends IllegalArgumentException {
    private final String field;

    public Invalid(String field, String reason) {
      super(reason);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /**
   * The messages of {@code node}, at most {@code maxMessages} of them, each text at most {@code
   * maxChars} characters.
   */
  public static List<Map<String, Object>> read(
      JsonNode node, String field, int maxMessages, int maxChars) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw new Invalid(field, "must be a non-empty array of messages");
    }
    if (node.size() > maxMessages) {
      throw new Invalid(field, "at most " + maxMessages + " messages, got " + node.size());
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      out.add(message(node.get(i), field + "[" + i + "]", maxChars));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> message(JsonNode m, String field, int maxChars) {
    if (m == null || !m.isObject()) {
      throw new Invalid(field, "must be an object with role and content");
    }
    JsonNode role = m.get("role");
    if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
      throw new Invalid(field + ".role", "must be one of system, user, assistant, tool");
    }
    Map<String, Object> out = JSON.convertValue(m, LinkedHashMap.class);
    JsonNode content = m.get("content");
    boolean toolCalls = m.path("tool_calls").isArray() && !m.path("tool_calls").isEmpty();
    if (content == null || content.isNull()) {
      if (!toolCalls) {
        throw new Invalid(
            field + ".content", "is required (only an assistant's tool calls may stand alone)");
      }
      out.put("content", "");
    } else if (content.isTextual()) {
      check(content.asText(), field + ".content", maxChars);
    } else if (content.isArray()) {
      List<String> texts = new ArrayList<>();
      for (int k = 0; k < content.size(); k++) {
        JsonNode part = content.get(k);
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw new Invalid(
              field + ".content[" + k + "]",
              "only text parts ({\"type\": \"text\", \"text\": ...})");
        }
        texts.add(part.get("text").asText());
      }
      String joined = String.join("\n", texts);
      check(joined, field + ".content", maxChars);
      out.put("content", joined);
    } else {
      throw new Invalid(field + ".content", "must be a string or a list of text parts");
    }
    if (m.has("tool_calls") && !m.get("tool_calls").isNull() && !m.get("tool_calls").isArray()) {
      throw new Invalid(field + ".tool_calls", "must be an array");
    }
    return out;
  }

  private static void check(String text, String field, int maxChars) {
    if (text.length() > maxChars) {
      throw new Invalid(field, "at most " + maxChars + " characters");
    }
  }
}
