package io.llmft.inference.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.text.ChatMessages;
import io.llmft.text.ChatTemplate;
import io.llmft.text.jinja.TemplateException;
import java.util.List;
import java.util.Map;

/**
 * A chat rendered with a model's own template from vLLM's request fields ({@code messages}, {@code
 * tools}, {@code chat_template_kwargs}, {@code add_generation_prompt}, true by default): what
 * {@code /v1/chat/completions} and {@code /tokenize} share. A bad field is an {@link
 * ChatMessages.Invalid} naming it.
 */
public final class ChatPrompts {
  /** The most messages and tools one chat may give. */
  public static final int MAX_MESSAGES = 1_000;

  public static final int MAX_TOOLS = 128;

  /** The most characters of one message's content. */
  public static final int MAX_CONTENT = 1_000_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private ChatPrompts() {}

  @SuppressWarnings("unchecked")
  public static String render(
      ChatTemplate template,
      JsonNode messagesNode,
      JsonNode tools,
      JsonNode kwargs,
      JsonNode addGenerationPrompt) {
    List<Map<String, Object>> messages =
        ChatMessages.read(messagesNode, "messages", MAX_MESSAGES, MAX_CONTENT);
    if (tools != null && !tools.isNull() && (!tools.isArray() || tools.size() > MAX_TOOLS)) {
      throw new ChatMessages.Invalid("tools", "must be an array of at most " + MAX_TOOLS);
    }
    if (kwargs != null && !kwargs.isNull() && !kwargs.isObject()) {
      throw new ChatMessages.Invalid("chat_template_kwargs", "must be an object");
    }
    if (addGenerationPrompt != null
        && !addGenerationPrompt.isNull()
        && !addGenerationPrompt.isBoolean()) {
      throw new ChatMessages.Invalid("add_generation_prompt", "must be true or false");
    }
    try {
      return template.render(
          messages,
          tools == null || tools.isNull() ? null : JSON.convertValue(tools, List.class),
          addGenerationPrompt == null
              || addGenerationPrompt.isNull()
              || addGenerationPrompt.asBoolean(),
          kwargs == null || kwargs.isNull() ? Map.of() : JSON.convertValue(kwargs, Map.class));
    } catch (TemplateException e) {
      throw new ChatMessages.Invalid(
          "messages",
          (e.raisedByTemplate()
                  ? "are refused by the model's chat template: "
                  : "cannot be rendered by the model's chat template: ")
              + e.getMessage());
    }
  }
}
