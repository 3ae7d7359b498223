package io.llmft.inference.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.contract.InstructionEntry;
import io.llmft.contract.Sampling;
import io.llmft.contract.Violation;
import io.llmft.inference.service.ChatPrompts;
import io.llmft.inference.service.ServedModels;
import io.llmft.text.ChatMessages;
import io.llmft.text.ChatTemplate;
import io.llmft.text.PromptStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code /v1/chat/completions} or {@code /v1/completions} request, read and checked: which model,
 * the prompt's tokens and how to continue it.
 *
 * <p>A chat maps onto the model's prompt style (from its training record). In the alpaca and phi3
 * styles it is one {@code user} message, whose content is the instruction, or a list of one or two
 * text parts, the instruction and then the entry's input; system, developer, assistant and tool
 * messages cannot be mapped onto a prompt the model was finetuned on and are refused, saying so.
 *
 * <p>A model served with its own chat template, or in the llama3 style (the named {@code llama3}
 * template), renders the chat with it, as vLLM does: every message (system, user, assistant with
 * tool calls, tool), {@code tools}, {@code chat_template_kwargs} and {@code add_generation_prompt}
 * (true by default) reach the template; its answer is the generated text as it is.
 *
 * @param style the chat's prompt style; null for a raw completion or a chat in the model's template
 * @param chat whether it answers {@code /v1/chat/completions}
 * @param maxTokens null: as many as {@code serving.default-max-tokens}, at most what the context
 *     leaves
 */
record OpenAiRequest(
    ServedModels.Served model,
    int[] prompt,
    PromptStyle style,
    boolean chat,
    Integer maxTokens,
    Sampling sampling,
    List<String> stops,
    boolean stream,
    boolean includeUsage) {

  /** The largest temperature OpenAI accepts. */
  static final double MAX_TEMPERATURE = 2;

  /** What a served model's text is read and written with. */
  interface ModelText {
    /** The ids of a prompt's text, or of a template's rendering (which writes its own specials). */
    int[] encode(ServedModels.Served model, String text, boolean rendered);

    /** Its own chat template; a model marked as having one has it. */
    ChatTemplate chatTemplate(ServedModels.Served model);
  }

  static OpenAiRequest chat(JsonNode body, ServedModels models, ModelText text) {
    ServedModels.Served model = model(body, models);
    Optional<ChatTemplate> template =
        model.chatTemplate() ? Optional.of(text.chatTemplate(model)) : model.style().chatTemplate();
    if (template.isPresent()) {
      String rendered = render(template.get(), body);
      OpenAiRequest request = read(body, model, text.encode(model, rendered, true), null, true);
      // a turn end the tokenizer has no single id for (ChatML taught to GPT-2) stops as text
      return template
          .get()
          .endOfTurn()
          .filter(eot -> !request.stops().contains(eot))
          .map(request::withStop)
          .orElse(request);
    }
    String prompt = model.style().formatInput(entry(body.get("messages")));
    return read(body, model, text.encode(model, prompt, false), model.style(), true);
  }

  OpenAiRequest withStop(String stop) {
    List<String> more = new ArrayList<>(stops);
    more.add(stop);
    return new OpenAiRequest(
        model, prompt, style, chat, maxTokens, sampling, more, stream, includeUsage);
  }

  /** A chat in the model's own template, with vLLM's parameters. */
  static String render(ChatTemplate template, JsonNode body) {
    try {
      return ChatPrompts.render(
          template,
          body.get("messages"),
          body.get("tools"),
          body.get("chat_template_kwargs"),
          body.get("add_generation_prompt"));
    } catch (ChatMessages.Invalid e) {
      throw OpenAiException.invalid(e.field(), e.field() + " " + e.getMessage());
    }
  }

  static OpenAiRequest completion(JsonNode body, ServedModels models, ModelText text) {
    ServedModels.Served model = model(body, models);
    JsonNode prompt = body.get("prompt");
    if (prompt != null && prompt.isArray() && prompt.size() == 1) {
      prompt = prompt.get(0);
    }
    if (prompt == null || !prompt.isTextual() || prompt.asText().isEmpty()) {
      throw OpenAiException.invalid("prompt", "prompt must be a non-empty string");
    }
    if (body.path("echo").asBoolean(false)) {
      throw OpenAiException.invalid("echo", "echo is not supported");
    }
    if (body.hasNonNull("suffix")) {
      throw OpenAiException.invalid("suffix", "suffix is not supported");
    }
    return read(body, model, text.encode(model, prompt.asText(), false), null, false);
  }

  private static ServedModels.Served model(JsonNode body, ServedModels models) {
    if (body == null || !body.isObject()) {
      throw OpenAiException.invalid(null, "the body must be a JSON object");
    }
    JsonNode model = body.get("model");
    if (model == null || !model.isTextual()) {
      throw OpenAiException.invalid("model", "model is required: an id from GET /v1/models");
    }
    return models
        .find(model.asText())
        .orElseThrow(
            () ->
                new OpenAiException(
                    404,
                    "The model '" + model.asText() + "' does not exist here (see GET /v1/models)",
                    "model",
                    "model_not_found"));
  }

  private static InstructionEntry entry(JsonNode messages) {
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw OpenAiException.invalid("messages", "messages must be a non-empty array");
    }
    if (messages.size() != 1 || !"user".equals(messages.get(0).path("role").asText())) {
      for (JsonNode m : messages) {
        String role = m.path("role").asText();
        if (!role.equals("user")) {
          throw OpenAiException.invalid(
              "messages",
              "a '"
                  + role
                  + "' message cannot be mapped: this model was finetuned on single instructions in"
                  + " a fixed prompt, so a chat is one user message (the instruction, or two text"
                  + " parts: instruction and input)");
        }
      }
      throw OpenAiException.invalid(
          "messages",
          "only one user message can be mapped: this model answers single instructions (send the"
              + " instruction, or two text parts: instruction and input)");
    }
    JsonNode content = messages.get(0).get("content");
    List<String> parts = new ArrayList<>();
    if (content != null && content.isTextual()) {
      parts.add(content.asText());
    } else if (content != null && content.isArray()) {
      for (JsonNode part : content) {
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw OpenAiException.invalid(
              "messages[0].content", "only text parts can be mapped onto the prompt");
        }
        parts.add(part.get("text").asText());
      }
    }
    if (parts.isEmpty() || parts.size() > 2 || parts.get(0).isBlank()) {
      throw OpenAiException.invalid(
          "messages[0].content",
          "the content must be the instruction, or two text parts: instruction and input");
    }
    return new InstructionEntry(parts.get(0), parts.size() == 2 ? parts.get(1) : null, null);
  }

  private static OpenAiRequest read(
      JsonNode body, ServedModels.Served model, int[] prompt, PromptStyle style, boolean chat) {
    refuseUnsupported(body, chat && style == null);
    Integer maxTokens = integer(body, "max_completion_tokens");
    Integer legacy = integer(body, "max_tokens");
    if (maxTokens != null && legacy != null && !maxTokens.equals(legacy)) {
      throw OpenAiException.invalid(
          "max_tokens", "max_tokens and max_completion_tokens differ: give one");
    }
    if (maxTokens == null) {
      maxTokens = legacy;
    }
    if (maxTokens != null && maxTokens < 1) {
      throw OpenAiException.invalid("max_tokens", "max_tokens must be at least 1");
    }
    Double temperature = number(body, "temperature");
    if (temperature != null && (temperature < 0 || temperature > MAX_TEMPERATURE)) {
      throw OpenAiException.invalid("temperature", "temperature must be from 0 to 2");
    }
    Double topP = number(body, "top_p");
    List<Violation> violations = new ArrayList<>();
    Sampling sampling =
        Sampling.of(
            temperature == null ? 1.0 : temperature,
            "temperature",
            integer(body, "top_k"),
            "top_k",
            topP,
            "top_p",
            body.hasNonNull("seed") ? body.get("seed").asLong() : null,
            violations);
    if (sampling == null) {
      Violation v = violations.get(0);
      throw OpenAiException.invalid(v.field(), v.field() + " " + v.reason());
    }
    Integer n = integer(body, "n");
    if (n != null && n != 1) {
      throw OpenAiException.invalid("n", "n must be 1: one choice per request is supported");
    }
    boolean stream = body.path("stream").asBoolean(false);
    boolean includeUsage = stream && body.path("stream_options").path("include_usage").asBoolean();
    return new OpenAiRequest(
        model,
        prompt,
        style,
        chat,
        maxTokens,
        sampling,
        stops(body.get("stop")),
        stream,
        includeUsage);
  }

  /** Parameters that would change the answer in ways this server does not do. */
  private static void refuseUnsupported(JsonNode body, boolean inModelTemplate) {
    for (String p : List.of("tools", "functions", "logit_bias", "audio", "prediction")) {
      if (p.equals("tools") && inModelTemplate) {
        continue; // the template writes them into the prompt
      }
      if (body.hasNonNull(p) && !(body.get(p).isContainerNode() && body.get(p).isEmpty())) {
        throw OpenAiException.invalid(p, p + " is not supported by this server");
      }
    }
    if (body.path("logprobs").asBoolean(false) || body.path("logprobs").isInt()) {
      throw OpenAiException.invalid("logprobs", "logprobs are not supported by this server");
    }
    for (String p : List.of("frequency_penalty", "presence_penalty")) {
      if (body.hasNonNull(p) && body.get(p).asDouble() != 0) {
        throw OpenAiException.invalid(p, p + " is not supported by this server (only 0)");
      }
    }
    JsonNode format = body.path("response_format").path("type");
    if (!format.isMissingNode() && !format.asText().equals("text")) {
      throw OpenAiException.invalid(
          "response_format", "only the text response format is supported");
    }
  }

  private static List<String> stops(JsonNode stop) {
    List<String> stops = new ArrayList<>();
    if (stop == null || stop.isNull()) {
      return stops;
    }
    if (stop.isTextual()) {
      stops.add(stop.asText());
    } else if (stop.isArray() && stop.size() <= 4) {
      stop.forEach(s -> stops.add(s.isTextual() ? s.asText() : ""));
    } else {
      throw OpenAiException.invalid("stop", "stop must be a string or a list of up to 4 strings");
    }
    if (stops.stream().anyMatch(String::isEmpty)) {
      throw OpenAiException.invalid("stop", "stop sequences must be non-empty strings");
    }
    return stops;
  }

  private static Integer integer(JsonNode body, String name) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw OpenAiException.invalid(name, name + " must be an integer");
    }
    return v.asInt();
  }

  private static Double number(JsonNode body, String name) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw OpenAiException.invalid(name, name + " must be a number");
    }
    return v.asDouble();
  }
}
