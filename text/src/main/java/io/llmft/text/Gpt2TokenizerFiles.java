package io.llmft.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's tokenizer in Hugging Face's files ({@code vocab.json}, {@code merges.txt}, {@code
 * tokenizer_config.json}, {@code special_tokens_map.json}), derived from the {@code r50k_base}
 * ranks this project tokenizes with, so that a saved checkpoint loads with {@code
 * GPT2Tokenizer.from_pretrained(dir)} without naming another repository.
 *
 * <p>Hugging Face writes each token's bytes through GPT-2's {@code bytes_to_unicode} table. Each
 * token of rank r ≥ 256 is the merge of the two tokens that byte-pair merging of its bytes, with
 * only the ranks below r, ends with; {@code merges.txt} lists those pairs in rank order.
 */
public final class Gpt2TokenizerFiles {
  public static final String VOCAB_FILE = "vocab.json";
  public static final String MERGES_FILE = "merges.txt";
  public static final String CONFIG_FILE = "tokenizer_config.json";
  public static final String SPECIAL_TOKENS_FILE = "special_tokens_map.json";
  private static final String RANKS = "/com/knuddels/jtokkit/r50k_base.tiktoken";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static volatile Map<String, byte[]> files;

  private Gpt2TokenizerFiles() {}

  /** Writes the four files into {@code dir}. */
  public static void write(Path dir) throws IOException {
    for (Map.Entry<String, byte[]> file : files().entrySet()) {
      Files.write(dir.resolve(file.getKey()), file.getValue());
    }
  }

  /** The content of one of the four files ({@link #VOCAB_FILE}, {@link #MERGES_FILE}, ...). */
  public static byte[] file(String name) {
    byte[] content = files().get(name);
    if (content == null) {
      throw new IllegalArgumentException("GPT-2's tokenizer has no file " + name);
    }
    return content.clone();
  }

  /** The files' contents by name, computed once. */
  static Map<String, byte[]> files() {
    Map<String, byte[]> result = files;
    if (result == null) {
      synchronized (Gpt2TokenizerFiles.class) {
        if (files == null) {
          files = build();
        }
        result = files;
      }
    }
    return result;
  }

  private static Map<String, byte[]> build() {
    List<byte[]> tokens = readRanks();
    String[] byteChars = bytesToUnicode();
    ObjectNode vocab = JSON.createObjectNode();
    for (int rank = 0; rank < tokens.size(); rank++) {
      vocab.put(text(tokens.get(rank), byteChars), rank);
    }
    vocab.put(Gpt2Tokenizer.END_OF_TEXT_MARKER, Gpt2Tokenizer.END_OF_TEXT);

    Map<ByteBuffer, Integer> ranks = new HashMap<>();
    for (int rank = 0; rank < tokens.size(); rank++) {
      ranks.put(ByteBuffer.wrap(tokens.get(rank)), rank);
    }
    StringBuilder merges = new StringBuilder("#version: 0.2\n");
    for (int rank = 256; rank < tokens.size(); rank++) {
      byte[][] pair = lastMerge(tokens.get(rank), rank, ranks);
      merges
          .append(text(pair[0], byteChars))
          .append(' ')
          .append(text(pair[1], byteChars))
          .append('\n');
    }

    ObjectNode special = JSON.createObjectNode();
    special.put("bos_token", Gpt2Tokenizer.END_OF_TEXT_MARKER);
    special.put("eos_token", Gpt2Tokenizer.END_OF_TEXT_MARKER);
    special.put("unk_token", Gpt2Tokenizer.END_OF_TEXT_MARKER);
    ObjectNode config = special.deepCopy();
    config.put("tokenizer_class", "GPT2Tokenizer");
    config.put("model_max_length", 1024);
    config.put("add_prefix_space", false);
    config.put("add_bos_token", false);

    Map<String, byte[]> result = new LinkedHashMap<>();
    try {
      result.put(VOCAB_FILE, JSON.writeValueAsBytes(vocab));
      result.put(MERGES_FILE, merges.toString().getBytes(StandardCharsets.UTF_8));
      result.put(CONFIG_FILE, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
      result.put(
          SPECIAL_TOKENS_FILE, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(special));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return result;
  }

  /** Byte-pair merging of {@code token} with the ranks below its own; the last pair merged. */
  private static byte[][] lastMerge(byte[] token, int rank, Map<ByteBuffer, Integer> ranks) {
    List<byte[]> parts = new ArrayList<>();
    for (byte b : token) {
      parts.add(new byte[] {b});
    }
    while (parts.size() > 2) {
      int best = -1;
      int bestRank = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < parts.size(); i++) {
        Integer r = ranks.get(ByteBuffer.wrap(concat(parts.get(i), parts.get(i + 1))));
        if (r != null && r < rank && r < bestRank) {
          best = i;
          bestRank = r;
        }
      }
      if (best < 0) {
        break;
      }
      parts.set(best, concat(parts.get(best), parts.remove(best + 1)));
    }
    if (parts.size() != 2) {
      throw new IllegalStateException("token of rank " + rank + " is not the merge of two tokens");
    }
    return new byte[][] {parts.get(0), parts.get(1)};
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static String text(byte[] token, String[] byteChars) {
    StringBuilder s = new StringBuilder();
    for (byte b : token) {
      s.append(byteChars[b & 0xff]);
    }
    return s.toString();
  }

  /**
   * GPT-2's {@code bytes_to_unicode}: printable Latin-1 bytes stand for themselves, the others map
   * to code points from 256 on, in byte order.
   */
  public static String[] bytesToUnicode() {
    String[] chars = new String[256];
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      chars[b] = new String(Character.toChars(printable ? b : next++));
    }
    return chars;
  }

  private static List<byte[]> readRanks() {
    List<byte[]> tokens = new ArrayList<>(Gpt2Tokenizer.END_OF_TEXT);
    try (InputStream in = Encodings.class.getResourceAsStream(RANKS)) {
      if (in == null) {
        throw new IllegalStateException("jtokkit's " + RANKS + " is not on the class path");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        String[] parts = line.split(" ");
        if (Integer.parseInt(parts[1]) != tokens.size()) {
          throw new IllegalStateException(RANKS + " is not in rank order at " + line);
        }
        tokens.add(Base64.getDecoder().decode(parts[0]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tokens;
  }
}
