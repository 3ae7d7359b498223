package io.llmft.inference.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON OpenAI clients read: {@code chat.completion} and its {@code chat.completion.chunk}s, or
 * {@code text_completion} (streamed or not), with {@code usage}.
 */
final class OpenAiShapes {
  private final ObjectMapper mapper;
  private final String id;
  private final String model;
  private final long created;
  private final boolean chat;

  OpenAiShapes(ObjectMapper mapper, String id, String model, long created, boolean chat) {
    this.mapper = mapper;
    this.id = id;
    this.model = model;
    this.created = created;
    this.chat = chat;
  }

  String id() {
    return id;
  }

  /** The whole answer of a request that was not streamed. */
  ObjectNode completion(String text, String finish, int promptTokens, int completionTokens) {
    ObjectNode answer = head(chat ? "chat.completion" : "text_completion");
    ObjectNode choice = answer.putArray("choices").addObject().put("index", 0);
    if (chat) {
      choice.putObject("message").put("role", "assistant").put("content", text).putNull("refusal");
    } else {
      choice.put("text", text);
    }
    choice.putNull("logprobs").put("finish_reason", finish);
    answer.set("usage", usage(promptTokens, completionTokens));
    return answer;
  }

  /** A chat stream's first chunk: the assistant's role, no text yet; a completion's: empty text. */
  ObjectNode firstChunk() {
    ObjectNode chunk = head(chat ? "chat.completion.chunk" : "text_completion");
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    if (chat) {
      choice.putObject("delta").put("role", "assistant").put("content", "");
    } else {
      choice.put("text", "");
    }
    choice.putNull("logprobs").putNull("finish_reason");
    return chunk;
  }

  /** A piece of text (null: none) and, in the last chunk, why the completion ended. */
  ObjectNode chunk(String text, String finish) {
    ObjectNode chunk = head(chat ? "chat.completion.chunk" : "text_completion");
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    if (chat) {
      ObjectNode delta = choice.putObject("delta");
      if (text != null) {
        delta.put("content", text);
      }
    } else {
      choice.put("text", text == null ? "" : text);
    }
    choice.putNull("logprobs");
    if (finish == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finish);
    }
    return chunk;
  }

  /** {@code stream_options.include_usage}: a last chunk without choices. */
  ObjectNode usageChunk(int promptTokens, int completionTokens) {
    ObjectNode chunk = head(chat ? "chat.completion.chunk" : "text_completion");
    chunk.putArray("choices");
    chunk.set("usage", usage(promptTokens, completionTokens));
    return chunk;
  }

  private ObjectNode head(String object) {
    ObjectNode node = mapper.createObjectNode();
    node.put("id", id).put("object", object).put("created", created).put("model", model);
    node.putNull("system_fingerprint");
    return node;
  }

  private ObjectNode usage(int promptTokens, int completionTokens) {
    return mapper
        .createObjectNode()
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
  }

  /** {@code GET /v1/models}' list. */
  static ObjectNode modelList(ObjectMapper mapper, Iterable<ObjectNode> models) {
    ObjectNode list = mapper.createObjectNode().put("object", "list");
    ArrayNode data = list.putArray("data");
    models.forEach(data::add);
    return list;
  }
}
