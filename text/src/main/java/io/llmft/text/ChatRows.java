package io.llmft.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Chat rows of a dataset, read in the shapes people finetune on and written in one: {@code
 * {"messages": [...], "tools"?: [...]}} for a conversation, and {@code {"messages": [the prompt],
 * "chosen": {assistant message}, "rejected": {assistant message}, "tools"?}} for a conversational
 * preference row.
 *
 * <p>Read: OpenAI/TRL {@code messages} (roles system, user, assistant, tool; content a string or
 * text parts; an assistant's {@code tool_calls}); ShareGPT {@code conversations} ({@code from}
 * system, human, gpt, function_call, observation, with an optional {@code system}); {@code tools}
 * as a list or a JSON string of one; for preference rows a shared conversation ({@code messages},
 * {@code conversations} or {@code prompt}, a string or messages) with {@code chosen} and {@code
 * rejected}, each one assistant message, a list holding one, or a string, as TRL and LLaMA-Factory
 * write them. A row that cannot be learned from is an {@link Invalid} saying why.
 */
public final class ChatRows {
  /** The most messages one row may hold. */
  public static final int MAX_MESSAGES = 1_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Map<String, String> SHAREGPT_ROLES =
      Map.of(
          "system", "system",
          "human", "user",
          "user", "user",
          "gpt", "assistant",
          "assistant", "assistant",
          "function_call", "assistant",
          "observation", "tool",
          "tool", "tool");

  private ChatRows() {}

  /** Why a row is rejected. */
  public static final class Invalid extends IllegalArgumentException {
    public Invalid(String reason) {
      super(reason);
    }
  }

  /**
   * The index of a conversation's last user turn, where an inference job asks the model to answer
   * and a judge compares the answer with the assistant turn after it; -1 when it has none.
   */
  public static int lastUserTurn(JsonNode messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).path("role").asText())) {
        return i;
      }
    }
    return -1;
  }

  /** Whether a normalized row is a preference row. */
  public static boolean isPreference(JsonNode normalized) {
    return normalized.has("chosen");
  }

  /** The row in the one written shape; an {@link Invalid} saying why it cannot be used. */
  public static ObjectNode normalize(JsonNode row) {
    if (row == null || !row.isObject()) {
      throw new Invalid("not a JSON object");
    }
    boolean hasChosen = row.hasNonNull("chosen");
    boolean hasRejected = row.hasNonNull("rejected");
    if (hasChosen != hasRejected) {
      throw new Invalid(
          (hasChosen ? "rejected" : "chosen")
              + ": a preference row needs both chosen and rejected");
    }
    ArrayNode messages = conversation(row, hasChosen);
    ObjectNode out = NODES.objectNode();
    out.set("messages", messages);
    JsonNode tools = tools(row.get("tools"));
    if (tools != null) {
      out.set("tools", tools);
    }
    if (hasChosen) {
      if (messages.isEmpty()) {
        throw new Invalid("prompt: a preference row needs a conversation to answer");
      }
      String last = messages.get(messages.size() - 1).path("role").asText();
      if (last.equals("assistant")) {
        throw new Invalid(
            "prompt: the conversation must end before the answer (its last turn is"
                + " the assistant's)");
      }
      out.set("chosen", answer(row.get("chosen"), "chosen"));
      out.set("rejected", answer(row.get("rejected"), "rejected"));
    } else {
      boolean learnable = false;
      for (JsonNode m : messages) {
        learnable |= m.path("role").asText().equals("assistant");
      }
      if (!learnable) {
        throw new Invalid("messages: no assistant turn to learn from");
      }
    }
    return out;
  }

  private static ArrayNode conversation(JsonNode row, boolean preference) {
    if (row.has("messages")) {
      return messages(row.get("messages"), "messages");
    }
    if (row.has("conversations")) {
      ArrayNode out = NODES.arrayNode();
      JsonNode system = row.get("system");
      if (system != null && !system.isNull()) {
        if (!system.isTextual() || system.asText().isBlank()) {
          throw new Invalid("system: must be a non-empty string");
        }
        out.add(NODES.objectNode().put("role", "system").put("content", system.asText()));
      }
      out.addAll(shareGpt(row.get("conversations"), "conversations"));
      return out;
    }
    JsonNode prompt = row.get("prompt");
    if (preference && prompt != null && prompt.isTextual()) {
      if (prompt.asText().isBlank()) {
        throw new Invalid("prompt: must not be empty");
      }
      ArrayNode out = NODES.arrayNode();
      out.add(NODES.objectNode().put("role", "user").put("content", prompt.asText()));
      return out;
    }
    if (prompt != null && prompt.isArray()) {
      return messages(prompt, "prompt");
    }
    throw new Invalid("no conversation: give messages, conversations (ShareGPT) or a prompt");
  }

  private static ArrayNode messages(JsonNode list, String field) {
    if (list == null || !list.isArray()) {
      throw new Invalid(field + ": must be a list of messages");
    }
    if (list.size() > MAX_MESSAGES) {
      throw new Invalid(field + ": at most " + MAX_MESSAGES + " messages");
    }
    ArrayNode out = NODES.arrayNode();
    for (int i = 0; i < list.size(); i++) {
      out.add(message(list.get(i), field + "[" + i + "]"));
    }
    return out;
  }

  private static ObjectNode message(JsonNode m, String field) {
    if (m == null || !m.isObject()) {
      throw new Invalid(field + ": must be an object with role and content");
    }
    JsonNode role = m.get("role");
    if (role == null || !role.isTextual() || !ChatMessages.ROLES.contains(role.asText())) {
      throw new Invalid(
          field
              + ".role: unknown role "
              + (role == null ? "(none)" : role.toString())
              + " (system, user, assistant or tool)");
    }
    ObjectNode out = m.deepCopy();
    JsonNode calls = m.get("tool_calls");
    boolean hasCalls = calls != null && calls.isArray() && !calls.isEmpty();
    if (calls != null && !calls.isNull() && !calls.isArray()) {
      throw new Invalid(field + ".tool_calls: must be a list");
    }
    out.put("content", content(m.get("content"), field + ".content", hasCalls));
    return out;
  }

  private static String content(JsonNode content, String field, boolean mayBeEmpty) {
    String text;
    if (content == null || content.isNull()) {
      text = "";
    } else if (content.isTextual()) {
      text = content.asText();
    } else if (content.isArray()) {
      StringBuilder b = new StringBuilder();
      for (int k = 0; k < content.size(); k++) {
        JsonNode part = content.get(k);
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw new Invalid(field + "[" + k + "]: only text parts");
        }
        b.append(k == 0 ? "" : "\n").append(part.get("text").asText());
      }
      text = b.toString();
    } else {
      throw new Invalid(field + ": must be a string or a list of text parts");
    }
    if (text.isBlank() && !mayBeEmpty) {
      throw new Invalid(field + ": empty content");
    }
    return text;
  }

  private static ArrayNode shareGpt(JsonNode list, String field) {
    if (list == null || !list.isArray()) {
      throw new Invalid(field + ": must be a list of {from, value}");
    }
    if (list.size() > MAX_MESSAGES) {
      throw new Invalid(field + ": at most " + MAX_MESSAGES + " turns");
    }
    ArrayNode out = NODES.arrayNode();
    for (int i = 0; i < list.size(); i++) {
      out.add(shareGptTurn(list.get(i), field + "[" + i + "]"));
    }
    return out;
  }

  private static ObjectNode shareGptTurn(JsonNode turn, String field) {
    if (turn == null || !turn.isObject()) {
      throw new Invalid(field + ": must be an object with from and value");
    }
    String from = turn.path("from").asText(null);
    String role = from == null ? null : SHAREGPT_ROLES.get(from);
    if (role == null) {
      throw new Invalid(
          field
              + ".from: unknown role "
              + (from == null ? "(none)" : "'" + from + "'")
              + " (system, human, gpt, function_call or observation)");
    }
    JsonNode value = turn.get("value");
    if (value == null || !value.isTextual()) {
      throw new Invalid(field + ".value: must be a string");
    }
    ObjectNode out = NODES.objectNode().put("role", role);
    if ("function_call".equals(from)) {
      JsonNode call;
      try {
        call = JSON.readTree(value.asText());
      } catch (JsonProcessingException e) {
        throw new Invalid(
            field + ".value: a function_call must be a JSON object {name, arguments}");
      }
      if (call == null || !call.isObject() || !call.path("name").isTextual()) {
        throw new Invalid(
            field + ".value: a function_call must be a JSON object {name, arguments}");
      }
      ObjectNode function = NODES.objectNode().put("name", call.get("name").asText());
      function.set("arguments", call.has("arguments") ? call.get("arguments") : NODES.objectNode());
      out.put("content", "");
      out.putArray("tool_calls").addObject().put("type", "function").set("function", function);
      return out;
    }
    if (value.asText().isBlank()) {
      throw new Invalid(field + ".value: empty content");
    }
    out.put("content", value.asText());
    return out;
  }

  private static ObjectNode answer(JsonNode node, String field) {
    JsonNode message = node;
    if (node.isTextual()) {
      if (node.asText().isBlank()) {
        throw new Invalid(field + ": empty content");
      }
      return NODES.objectNode().put("role", "assistant").put("content", node.asText());
    }
    if (node.isArray()) {
      if (node.size() != 1) {
        throw new Invalid(field + ": must be one assistant turn, got " + node.size() + " messages");
      }
      message = node.get(0);
    }
    ObjectNode m = message.has("from") ? shareGptTurn(message, field) : message(message, field);
    if (!m.path("role").asText().equals("assistant")) {
      throw new Invalid(field + ": must be an assistant turn, not " + m.path("role").asText());
    }
    return m;
  }

  private static JsonNode tools(JsonNode tools) {
    if (tools == null || tools.isNull()) {
      return null;
    }
    JsonNode list = tools;
    if (tools.isTextual()) {
      if (tools.asText().isBlank()) {
        return null;
      }
      try {
        list = JSON.readTree(tools.asText());
      } catch (JsonProcessingException e) {
        throw new Invalid("tools: not a JSON list");
      }
    }
    if (!list.isArray()) {
      throw new Invalid("tools: must be a list of tool schemas (or a JSON string of one)");
    }
    return list;
  }
}
