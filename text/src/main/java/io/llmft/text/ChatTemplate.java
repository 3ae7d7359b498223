package io.llmft.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.text.jinja.Template;
import io.llmft.text.jinja.TemplateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's chat template, rendered as Hugging Face transformers' {@code apply_chat_template}
 * renders it: the context holds {@code messages}, {@code tools}, {@code documents}, {@code
 * add_generation_prompt}, the tokenizer's special tokens ({@code bos_token}, {@code eos_token}, ...
 * where set) and the caller's {@code chat_template_kwargs}; {@code raise_exception(message)} fails
 * the rendering with the template's message and {@code strftime_now(format)} writes today's date.
 * The rendered text is encoded without adding special tokens again: the template writes them.
 */
public final class ChatTemplate {
  public static final String CONFIG_FILE = "tokenizer_config.json";
  public static final String JINJA_FILE = "chat_template.jinja";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SPECIAL_TOKENS =
      List.of(
          "bos_token",
          "eos_token",
          "unk_token",
          "sep_token",
          "pad_token",
          "cls_token",
          "mask_token");

  private final String source;
  private final Template template;
  private final Template toolTemplate;
  private final Map<String, Object> specialTokens;
  private final String endOfTurn;

  /**
   * Where a template given to a training job keeps its end-of-turn text in the saved model's {@code
   * tokenizer_config.json}, when it is not the tokenizer's {@code eos_token} (ChatML on GPT-2).
   */
  public static final String END_OF_TURN_KEY = "chat_end_of_turn";

  /** ChatML, as Qwen and many others write it. */
  static final String CHATML =
      "{%- for message in messages %}"
          + "{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
          + "{%- endfor %}"
          + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}";

  /** Llama 3's chat format (the book's {@code ChatFormat}), each message trimmed as Meta's. */
  static final String LLAMA3_BEGIN_OF_TEXT = "<|begin_of_text|>";

  static final String LLAMA3 =
      "{{- '"
          + LLAMA3_BEGIN_OF_TEXT
          + "' }}"
          + "{%- for message in messages %}"
          + "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
          + " + message['content'] | trim + '<|eot_id|>' }}"
          + "{%- endfor %}"
          + "{%- if add_generation_prompt %}"
          + "{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{%- endif %}";

  /** The templates a training job may name for a base model without one, and their turn ends. */
  public static final Map<String, String> NAMED =
      Map.of("chatml", "<|im_end|>", "llama3", "<|eot_id|>");

  private ChatTemplate(
      String source,
      Template template,
      Template toolTemplate,
      Map<String, Object> specialTokens,
      String endOfTurn) {
    this.source = source;
    this.template = template;
    this.toolTemplate = toolTemplate;
    this.specialTokens = specialTokens;
    this.endOfTurn = endOfTurn;
  }

  /** A template from its Jinja source; a {@link TemplateException} when it does not parse. */
  public static ChatTemplate of(String source, Map<String, Object> specialTokens) {
    return new ChatTemplate(source, Template.parse(source), null, Map.copyOf(specialTokens), null);
  }

  /**
   * A template a training job gives for a base model without one: a name ({@code chatml}, {@code
   * llama3}) or Jinja source, whose turns end with {@code endOfTurn} (for a name, its own).
   *
   * @throws IllegalArgumentException for an unknown name
   * @throws TemplateException for source that does not parse
   */
  public static ChatTemplate given(String nameOrSource, String endOfTurn) {
    if (NAMED.containsKey(nameOrSource)) {
      String source = nameOrSource.equals("chatml") ? CHATML : LLAMA3;
      return new ChatTemplate(
          source, Template.parse(source), null, Map.of(), NAMED.get(nameOrSource));
    }
    if (!nameOrSource.contains("{{") && !nameOrSource.contains("{%")) {
      throw new IllegalArgumentException(
          "must be "
              + String.join(" or ", new java.util.TreeSet<>(NAMED.keySet()))
              + ", or a Jinja template");
    }
    return new ChatTemplate(nameOrSource, Template.parse(nameOrSource), null, Map.of(), endOfTurn);
  }

  /**
   * The template of a model directory: {@code chat_template.jinja} where present, else {@code
   * chat_template} of {@code tokenizer_config.json} (a string, or a list of named templates whose
   * {@code default} renders and whose {@code tool_use} renders when tools are given); empty when
   * the model has none. Special tokens come from {@code tokenizer_config.json}.
   */
  public static Optional<ChatTemplate> forModel(Path dir) throws IOException {
    Path configFile = dir.resolve(CONFIG_FILE);
    JsonNode config =
        Files.isRegularFile(configFile)
            ? JSON.readTree(configFile.toFile())
            : JSON.createObjectNode();
    Map<String, Object> tokens = specialTokens(config);
    String endOfTurn =
        config.path(END_OF_TURN_KEY).isTextual() ? config.get(END_OF_TURN_KEY).asText() : null;
    Path jinja = dir.resolve(JINJA_FILE);
    if (Files.isRegularFile(jinja)) {
      String source = Files.readString(jinja);
      return Optional.of(
          new ChatTemplate(source, Template.parse(source), null, Map.copyOf(tokens), endOfTurn));
    }
    JsonNode t = config.get("chat_template");
    if (t == null || t.isNull()) {
      return Optional.empty();
    }
    try {
      if (t.isTextual()) {
        return Optional.of(
            new ChatTemplate(
                t.asText(), Template.parse(t.asText()), null, Map.copyOf(tokens), endOfTurn));
      }
      String main = null;
      String tools = null;
      for (JsonNode named : t) {
        String name = named.path("name").asText();
        if (name.equals("default")) {
          main = named.path("template").asText();
        } else if (name.equals("tool_use")) {
          tools = named.path("template").asText();
        }
      }
      if (main == null) {
        throw new IOException(configFile + ": chat_template has no template named default");
      }
      return Optional.of(
          new ChatTemplate(
              main,
              Template.parse(main),
              tools == null ? null : Template.parse(tools),
              Map.copyOf(tokens),
              endOfTurn));
    } catch (TemplateException e) {
      throw new IOException(configFile + ": chat_template does not parse: " + e.getMessage(), e);
    }
  }

  /** Whether a model directory declares a chat template (read, not parsed). */
  public static boolean declaredIn(Path dir) {
    if (Files.isRegularFile(dir.resolve(JINJA_FILE))) {
      return true;
    }
    Path config = dir.resolve(CONFIG_FILE);
    try {
      return Files.isRegularFile(config)
          && JSON.readTree(config.toFile()).hasNonNull("chat_template");
    } catch (IOException e) {
      return false;
    }
  }

  private static Map<String, Object> specialTokens(JsonNode config) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : SPECIAL_TOKENS) {
      String token = tokenText(config.get(name));
      if (token != null) {
        out.put(name, token);
      }
    }
    JsonNode extra = config.get("additional_special_tokens");
    if (extra != null && extra.isArray()) {
      List<Object> list = new ArrayList<>();
      extra.forEach(e -> list.add(tokenText(e)));
      out.put("additional_special_tokens", list);
    }
    return out;
  }

  private static String tokenText(JsonNode t) {
    if (t == null || t.isNull()) {
      return null;
    }
    return t.isObject() ? t.path("content").asText() : t.asText();
  }

  /**
   * The text that ends a turn: the tokenizer's {@code eos_token} the template writes after each
   * message (Llama 3 Instruct: {@code <|eot_id|>}, Qwen3: {@code <|im_end|>}), or the turn end a
   * given template was saved with; empty when the tokenizer names none.
   */
  public Optional<String> endOfTurn() {
    if (endOfTurn != null) {
      return Optional.of(endOfTurn);
    }
    Object eos = specialTokens.get("eos_token");
    return eos instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
  }

  /**
   * Writes this template into the {@code tokenizer_config.json} of a model directory (made if
   * missing, its other fields kept), with its turn end where it is not the tokenizer's eos_token.
   */
  public void writeInto(Path dir) throws IOException {
    Path file = dir.resolve(CONFIG_FILE);
    com.fasterxml.jackson.databind.node.ObjectNode config =
        Files.isRegularFile(file)
            ? (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(file.toFile())
            : JSON.createObjectNode();
    config.put("chat_template", source);
    if (endOfTurn != null) {
      config.put(END_OF_TURN_KEY, endOfTurn);
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), config);
  }

  /** The tokenizer whose saved files carry this template ({@link #writeInto}). */
  public Tokenizer attachTo(Tokenizer tokenizer) {
    ChatTemplate template = this;
    return new Tokenizer() {
      @Override
      public int[] encode(String text) {
        return tokenizer.encode(text);
      }

      @Override
      public int[] encodeRendered(String text) {
        return tokenizer.encodeRendered(text);
      }

      @Override
      public String decode(int[] ids) {
        return tokenizer.decode(ids);
      }

      @Override
      public byte[] bytes(int id) {
        return tokenizer.bytes(id);
      }

      @Override
      public int endOfText() {
        return tokenizer.endOfText();
      }

      @Override
      public int[] stopIds() {
        return tokenizer.stopIds();
      }

      @Override
      public int vocabularySize() {
        return tokenizer.vocabularySize();
      }

      @Override
      public void writeFiles(Path dir) throws IOException {
        tokenizer.writeFiles(dir);
        template.writeInto(dir);
      }
    };
  }

  /** The Jinja source, as it is written into a saved model's {@code tokenizer_config.json}. */
  public String source() {
    return source;
  }

  /**
   * The text of a conversation.
   *
   * @param messages the messages as JSON-like values (maps with {@code role}, {@code content}, ...)
   * @param tools the tools' JSON schemas, or null
   * @param addGenerationPrompt whether to end with the header of the assistant's next turn
   * @param kwargs {@code chat_template_kwargs}: more variables for the template
   * @throws TemplateException when the template fails or calls {@code raise_exception}
   */
  public String render(
      List<?> messages, List<?> tools, boolean addGenerationPrompt, Map<String, Object> kwargs) {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("messages", messages);
    context.put("tools", tools);
    context.put("documents", null);
    context.put("add_generation_prompt", addGenerationPrompt);
    context.putAll(specialTokens);
    context.putAll(kwargs);
    context.put(
        "raise_exception",
        (Template.Function)
            (args, kw) -> {
              throw new RaisedByTemplate(args.isEmpty() ? "" : String.valueOf(args.get(0)));
            });
    context.put(
        "strftime_now",
        (Template.Function)
            (args, kw) -> Strftime.format(LocalDateTime.now(), String.valueOf(args.get(0))));
    Template chosen = tools != null && toolTemplate != null ? toolTemplate : template;
    try {
      return chosen.render(context);
    } catch (RaisedByTemplate e) {
      throw e.asTemplateException();
    }
  }

  /** Carries a template's own {@code raise_exception} message out of the renderer unchanged. */
  private static final class RaisedByTemplate extends RuntimeException {
    RaisedByTemplate(String message) {
      super(message, null, false, false);
    }

    TemplateException asTemplateException() {
      return TemplateException.raised(getMessage());
    }
  }
}
