package io.llmft.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A model directory's Hugging Face {@code tokenizer.json} (byte-level BPE: Llama 3, Qwen3), encoded
 * by DJL's binding of Hugging Face's own tokenizers library, so its pre-tokenizer regex, added and
 * special tokens and post-processor (Llama 3's {@code <|begin_of_text|>} first) are the library's.
 * End-of-text is the first {@code eos_token_id} of {@code config.json}; generation stops at every
 * {@code eos_token_id} of {@code config.json} and {@code generation_config.json}.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {
  public static final String TOKENIZER_FILE = "tokenizer.json";

  /** The files of a Hugging Face tokenizer that a saved model keeps beside its weights. */
  private static final List<String> FILES =
      List.of(
          TOKENIZER_FILE,
          "tokenizer_config.json",
          "special_tokens_map.json",
          "generation_config.json",
          ChatTemplate.JINJA_FILE);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final HuggingFaceTokenizer tokenizer;
  private final byte[][] tokenBytes;
  private final int endOfText;
  private final int[] stopIds;

  private HfTokenizer(
      Path dir, HuggingFaceTokenizer tokenizer, byte[][] tokenBytes, int endOfText, int[] stopIds) {
    this.dir = dir;
    this.tokenizer = tokenizer;
    this.tokenBytes = tokenBytes;
    this.endOfText = endOfText;
    this.stopIds = stopIds;
  }

  /**
   * Whether {@code dir} has the file a tokenizer is read from, without reading it (a cheap check
   * before a job or request is accepted).
   *
   * @throws MissingTokenizerException when it has not
   */
  public static void checkPresent(Path dir) throws IOException {
    if (!Files.isRegularFile(dir.resolve(TOKENIZER_FILE))) {
      throw new MissingTokenizerException(dir);
    }
  }

  /**
   * The tokenizer of {@code dir}; an {@link IOException} naming the file that is missing or wrong.
   * It holds a native tokenizer: {@link #close} it when it is no longer used.
   */
  public static HfTokenizer load(Path dir) throws IOException {
    checkPresent(dir);
    Path file = dir.resolve(TOKENIZER_FILE);
    JsonNode json = JSON.readTree(file.toFile());
    byte[][] tokenBytes = tokenBytes(json, file);
    Set<Integer> stops = new LinkedHashSet<>();
    int[] eos = ids(dir.resolve("config.json"), "eos_token_id");
    Arrays.stream(eos).forEach(stops::add);
    Arrays.stream(ids(dir.resolve("generation_config.json"), "eos_token_id")).forEach(stops::add);
    if (stops.isEmpty()) {
      throw new IOException(dir + ": config.json names no eos_token_id");
    }
    for (int id : stops) {
      if (id < 0 || id >= tokenBytes.length || tokenBytes[id] == null) {
        throw new IOException(
            dir + ": eos_token_id " + id + " is not a token of " + TOKENIZER_FILE);
      }
    }
    int endOfText = eos.length > 0 ? eos[0] : stops.iterator().next();
    Map<String, String> options = new HashMap<>();
    options.put("addSpecialTokens", "true");
    options.put("truncation", "false");
    options.put("padding", "false");
    HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(file, options);
    return new HfTokenizer(
        dir,
        tokenizer,
        tokenBytes,
        endOfText,
        stops.stream().mapToInt(Integer::intValue).toArray());
  }

  private static int[] ids(Path file, String field) throws IOException {
    if (!Files.isRegularFile(file)) {
      return new int[0];
    }
    return ConfigFields.ids(JSON.readTree(file.toFile()), field);
  }

  /** Each id's bytes: the vocabulary's byte-level strings mapped back, added tokens as UTF-8. */
  private static byte[][] tokenBytes(JsonNode json, Path file) throws IOException {
    JsonNode model = json.path("model");
    if (!"BPE".equals(model.path("type").asText()) || !"ByteLevel".equals(decoderType(json))) {
      throw new IOException(
          file
              + ": only byte-level BPE tokenizers are supported (model.type BPE, a ByteLevel decoder)");
    }
    Map<Integer, Byte> unicodeToByte = new HashMap<>();
    String[] byteChars = Gpt2TokenizerFiles.bytesToUnicode();
    for (int b = 0; b < 256; b++) {
      unicodeToByte.put(byteChars[b].codePointAt(0), (byte) b);
    }
    int size = 0;
    var vocab = model.path("vocab").fields();
    Map<Integer, byte[]> byId = new HashMap<>();
    while (vocab.hasNext()) {
      var e = vocab.next();
      int[] cps = e.getKey().codePoints().toArray();
      byte[] bytes = new byte[cps.length];
      for (int i = 0; i < cps.length; i++) {
        Byte b = unicodeToByte.get(cps[i]);
        if (b == null) {
          throw new IOException(file + ": token " + e.getKey() + " is not byte-level");
        }
        bytes[i] = b;
      }
      int id = tokenId(e.getValue(), e.getKey(), file);
      byId.put(id, bytes);
      size = Math.max(size, id + 1);
    }
    for (JsonNode added : json.path("added_tokens")) {
      int id = tokenId(added.path("id"), added.path("content").asText(), file);
      byId.put(id, added.path("content").asText().getBytes(StandardCharsets.UTF_8));
      size = Math.max(size, id + 1);
    }
    byte[][] tokens = new byte[size][];
    byId.forEach((id, bytes) -> tokens[id] = bytes);
    return tokens;
  }

  /** The largest vocabulary read: ids beyond it are a broken or hostile file, not a model's. */
  static final int MAX_VOCABULARY = 1 << 24;

  private static int tokenId(JsonNode id, String token, Path file) throws IOException {
    if (!id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= MAX_VOCABULARY) {
      throw new IOException(
          file + ": token " + token + " has id " + id + ", not one from 0 to " + MAX_VOCABULARY);
    }
    return id.asInt();
  }

  private static String decoderType(JsonNode json) {
    JsonNode decoder = json.path("decoder");
    if ("Sequence".equals(decoder.path("type").asText())) {
      for (JsonNode d : decoder.path("decoders")) {
        if ("ByteLevel".equals(d.path("type").asText())) {
          return "ByteLevel";
        }
      }
    }
    return decoder.path("type").asText();
  }

  /** Frees the native tokenizer; not while a call on it is under way. */
  @Override
  public void close() {
    tokenizer.close();
  }

  @Override
  public int[] encode(String text) {
    return Arrays.stream(tokenizer.encode(text).getIds()).mapToInt(Math::toIntExact).toArray();
  }

  @Override
  public int[] encodeRendered(String text) {
    return Arrays.stream(tokenizer.encode(text, false, false).getIds())
        .mapToInt(Math::toIntExact)
        .toArray();
  }

  @Override
  public String decode(int[] ids) {
    int length = IntStream.of(ids).map(id -> bytes(id).length).sum();
    byte[] all = new byte[length];
    int at = 0;
    for (int id : ids) {
      byte[] b = bytes(id);
      System.arraycopy(b, 0, all, at, b.length);
      at += b.length;
    }
    return new String(all, StandardCharsets.UTF_8);
  }

  @Override
  public byte[] bytes(int id) {
    if (id < 0 || id >= tokenBytes.length || tokenBytes[id] == null) {
      throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
    }
    return tokenBytes[id];
  }

  @Override
  public int endOfText() {
    return endOfText;
  }

  @Override
  public int[] stopIds() {
    return stopIds.clone();
  }

  @Override
  public int vocabularySize() {
    return tokenBytes.length;
  }

  /** The id of a token's text (a special token such as {@code <|eot_id|>}), or -1. */
  public int idOf(String token) {
    byte[] wanted = token.getBytes(StandardCharsets.UTF_8);
    for (int id = 0; id < tokenBytes.length; id++) {
      if (tokenBytes[id] != null && Arrays.equals(tokenBytes[id], wanted)) {
        return id;
      }
    }
    return -1;
  }

  @Override
  public void writeFiles(Path target) throws IOException {
    for (String name : FILES) {
      Path source = dir.resolve(name);
      if (Files.isRegularFile(source)) {
        Files.copy(source, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /**
   * A model directory of a family that brings its own tokenizer, without {@code tokenizer.json}.
   */
  public static final class MissingTokenizerException extends IOException {
    public MissingTokenizerException(Path dir) {
      super("no " + TOKENIZER_FILE + " in " + dir + ": this model family needs its own tokenizer");
    }
  }
}
