package io.llmft.models.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.models.ModelFamily;
import io.llmft.text.ChatTemplate;
import io.llmft.text.Gpt2Tokenizer;
import io.llmft.text.Gpt2TokenizerFiles;
import io.llmft.text.HfTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE tokenizer as llama.cpp reads it ({@code tokenizer.ggml.model = gpt2}): one token
 * string per embedding row (the vocabulary's byte-level strings, added tokens as written, rows
 * without a token {@code [PAD<i>]}), each token's type, the merges as {@code "a b"}, the
 * pre-tokenizer llama.cpp applies, the special ids and the chat template. The types follow
 * llama.cpp's converter: a special added token, or one that looks like {@code <|...|>}, is a
 * control token; another added token is user-defined; the rest are normal.
 */
public record GgufVocabulary(
    String pre,
    List<String> tokens,
    int[] types,
    List<String> merges,
    Integer bosId,
    Integer eosId,
    Integer eotId,
    Integer padId,
    boolean addBos,
    String chatTemplate) {

  static final int NORMAL = 1;
  static final int CONTROL = 3;
  static final int USER_DEFINED = 4;
  static final int UNUSED = 5;

  /** The end-of-turn markers of the chat formats the suite's families use. */
  private static final List<String> END_OF_TURN = List.of("<|eot_id|>", "<|im_end|>");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The vocabulary of a model directory of {@code family}, padded to {@code rows} tokens. */
  public static GgufVocabulary of(Path dir, ModelFamily family, int rows) throws IOException {
    return switch (family) {
      case GPT2 -> gpt2(rows);
      case LLAMA -> fromTokenizerJson(dir, "llama-bpe", rows);
      case QWEN3 -> fromTokenizerJson(dir, "qwen2", rows);
    };
  }

  /** Writes the {@code tokenizer.*} keys. */
  void put(GgufWriter w) {
    w.putString("tokenizer.ggml.model", "gpt2")
        .putString("tokenizer.ggml.pre", pre)
        .putStrings("tokenizer.ggml.tokens", tokens)
        .putInt32s("tokenizer.ggml.token_type", types)
        .putStrings("tokenizer.ggml.merges", merges)
        .putBool("tokenizer.ggml.add_bos_token", addBos)
        .putBool("tokenizer.ggml.add_eos_token", false);
    putId(w, "tokenizer.ggml.bos_token_id", bosId);
    putId(w, "tokenizer.ggml.eos_token_id", eosId);
    putId(w, "tokenizer.ggml.eot_token_id", eotId);
    putId(w, "tokenizer.ggml.padding_token_id", padId);
    if (chatTemplate != null) {
      w.putString("tokenizer.chat_template", chatTemplate);
    }
  }

  private static void putId(GgufWriter w, String key, Integer id) {
    if (id != null) {
      w.putUint32(key, id);
    }
  }

  /** GPT-2's BPE as the suite tokenizes with it (r50k), whatever files the directory holds. */
  private static GgufVocabulary gpt2(int rows) throws IOException {
    JsonNode vocab = JSON.readTree(Gpt2TokenizerFiles.file(Gpt2TokenizerFiles.VOCAB_FILE));
    Table table = new Table(rows);
    vocab.fields().forEachRemaining(e -> table.set(e.getValue().asInt(), e.getKey(), NORMAL));
    table.set(Gpt2Tokenizer.END_OF_TEXT, Gpt2Tokenizer.END_OF_TEXT_MARKER, CONTROL);
    String merges =
        new String(Gpt2TokenizerFiles.file(Gpt2TokenizerFiles.MERGES_FILE), StandardCharsets.UTF_8);
    List<String> pairs =
        merges.lines().filter(l -> !l.startsWith("#version") && !l.isEmpty()).toList();
    int eot = Gpt2Tokenizer.END_OF_TEXT;
    return new GgufVocabulary(
        "gpt-2", table.tokens(), table.types, pairs, eot, eot, null, null, false, null);
  }

  private static GgufVocabulary fromTokenizerJson(Path dir, String pre, int rows)
      throws IOException {
    JsonNode tokenizer = JSON.readTree(dir.resolve(HfTokenizer.TOKENIZER_FILE).toFile());
    JsonNode config = readIfPresent(dir.resolve("tokenizer_config.json"));
    JsonNode modelConfig = readIfPresent(dir.resolve("config.json"));
    Table table = new Table(rows);
    tokenizer
        .path("model")
        .path("vocab")
        .fields()
        .forEachRemaining(e -> table.set(e.getValue().asInt(), e.getKey(), NORMAL));
    Map<String, Integer> added = new HashMap<>();
    for (JsonNode t : tokenizer.path("added_tokens")) {
      String content = t.path("content").asText();
      boolean control =
          t.path("special").asBoolean() || (content.startsWith("<|") && content.endsWith("|>"));
      table.set(t.path("id").asInt(), content, control ? CONTROL : USER_DEFINED);
      added.put(content, t.path("id").asInt());
    }
    Integer bos = special(config, "bos_token", added, modelConfig.path("bos_token_id"));
    Integer eos = special(config, "eos_token", added, modelConfig.path("eos_token_id"));
    Integer pad = special(config, "pad_token", added, null);
    Integer eot =
        END_OF_TURN.stream().filter(added::containsKey).map(added::get).findFirst().orElse(null);
    return new GgufVocabulary(
        pre,
        table.tokens(),
        table.types,
        merges(tokenizer.path("model").path("merges")),
        bos,
        eos,
        eot,
        pad,
        addBos(config, tokenizer, bos, added),
        chatTemplate(dir, config));
  }

  /**
   * The id of a special token {@code tokenizer_config.json} names ({@code "<|im_end|>"} or {@code
   * {"content": ...}}), else the id {@code config.json} gives (the first of a list), else null.
   */
  private static Integer special(
      JsonNode config, String field, Map<String, Integer> added, JsonNode fallback) {
    JsonNode entry = config.path(field);
    String content = entry.isObject() ? entry.path("content").asText(null) : entry.asText(null);
    if (content != null && added.containsKey(content)) {
      return added.get(content);
    }
    if (fallback == null) {
      return null;
    }
    JsonNode id = fallback.isArray() ? fallback.path(0) : fallback;
    return id.canConvertToInt() ? id.asInt() : null;
  }

  /**
   * Whether a text begins with the begin-of-text token: {@code add_bos_token} of {@code
   * tokenizer_config.json}, else whether the post-processor's template puts it first (Llama 3).
   */
  private static boolean addBos(
      JsonNode config, JsonNode tokenizer, Integer bos, Map<String, Integer> added) {
    if (config.path("add_bos_token").isBoolean()) {
      return config.path("add_bos_token").asBoolean();
    }
    if (bos == null) {
      return false;
    }
    JsonNode post = tokenizer.path("post_processor");
    List<JsonNode> processors = new ArrayList<>();
    if (post.has("processors")) {
      post.path("processors").forEach(processors::add);
    } else {
      processors.add(post);
    }
    for (JsonNode p : processors) {
      if ("TemplateProcessing".equals(p.path("type").asText())) {
        String first = p.path("single").path(0).path("SpecialToken").path("id").asText(null);
        return first != null && bos.equals(added.get(first));
      }
    }
    return false;
  }

  /** Merges as llama.cpp reads them, {@code "a b"}; the pair form of newer files is joined. */
  private static List<String> merges(JsonNode merges) {
    List<String> result = new ArrayList<>(merges.size());
    for (JsonNode m : merges) {
      if (m.isArray()) {
        // a space inside a part becomes U+0120 (its byte-level character), as llama.cpp's
        // converter writes it
        result.add(escapeSpaces(m.get(0).asText()) + " " + escapeSpaces(m.get(1).asText()));
      } else {
        result.add(m.asText());
      }
    }
    return result;
  }

  private static String escapeSpaces(String part) {
    return part.replace(" ", String.valueOf((char) (' ' + 256)));
  }

  /** The chat template of {@code tokenizer_config.json}, else of the directory's Jinja file. */
  private static String chatTemplate(Path dir, JsonNode config) throws IOException {
    if (config.path("chat_template").isTextual()) {
      return config.path("chat_template").asText();
    }
    Path jinja = dir.resolve(ChatTemplate.JINJA_FILE);
    return Files.isRegularFile(jinja) ? Files.readString(jinja) : null;
  }

  private static JsonNode readIfPresent(Path file) throws IOException {
    return Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
  }

  /** The tokens by row while they are gathered; a row left empty is padding. */
  private static final class Table {
    private final String[] tokens;
    private final int[] types;

    Table(int rows) {
      tokens = new String[rows];
      types = new int[rows];
    }

    void set(int id, String token, int type) {
      if (id < 0 || id >= tokens.length) {
        throw new IllegalArgumentException(
            "token " + token + " has id " + id + ", but the model has " + tokens.length + " rows");
      }
      tokens[id] = token;
      types[id] = type;
    }

    List<String> tokens() {
      List<String> list = new ArrayList<>(Arrays.asList(tokens));
      for (int i = 0; i < tokens.length; i++) {
        if (list.get(i) == null) {
          list.set(i, "[PAD" + i + "]");
          types[i] = UNUSED;
        }
      }
      return list;
    }
  }
}
