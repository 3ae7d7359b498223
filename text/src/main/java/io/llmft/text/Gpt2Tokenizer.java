package io.llmft.text;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.io.IOException;
import java.nio.file.Path;

/**
 * GPT-2's byte-pair encoding ({@code r50k_base}). Like the book's {@code tokenizer.encode(text,
 * allowed_special={"<|endoftext|>"})}, the literal end-of-text marker becomes token 50256 and
 * everything else is encoded as ordinary text.
 */
public final class Gpt2Tokenizer implements Tokenizer {
  public static final int END_OF_TEXT = 50256;
  public static final String END_OF_TEXT_MARKER = "<|endoftext|>";

  private static final Gpt2Tokenizer INSTANCE = new Gpt2Tokenizer();

  private final Encoding encoding =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

  private Gpt2Tokenizer() {}

  public static Gpt2Tokenizer get() {
    return INSTANCE;
  }

  @Override
  public int[] encodeRendered(String text) {
    return encode(text); // GPT-2 has no post-processor: nothing is added to a text
  }

  @Override
  public int[] encode(String text) {
    IntArrayList ids = new IntArrayList();
    int from = 0;
    while (true) {
      int marker = text.indexOf(END_OF_TEXT_MARKER, from);
      String piece = marker < 0 ? text.substring(from) : text.substring(from, marker);
      if (!piece.isEmpty()) {
        IntArrayList part = encoding.encodeOrdinary(piece);
        for (int i = 0; i < part.size(); i++) {
          ids.add(part.get(i));
        }
      }
      if (marker < 0) {
        return ids.toArray();
      }
      ids.add(END_OF_TEXT);
      from = marker + END_OF_TEXT_MARKER.length();
    }
  }

  /** The bytes of one token (a GPT-2 token is a byte sequence, not always whole characters). */
  @Override
  public byte[] bytes(int id) {
    IntArrayList list = new IntArrayList(1);
    list.add(id);
    return encoding.decodeBytes(list);
  }

  @Override
  public String decode(int[] ids) {
    IntArrayList list = new IntArrayList(ids.length);
    for (int id : ids) {
      list.add(id);
    }
    return encoding.decode(list);
  }

  @Override
  public int endOfText() {
    return END_OF_TEXT;
  }

  @Override
  public int[] stopIds() {
    return new int[] {END_OF_TEXT};
  }

  @Override
  public int vocabularySize() {
    return END_OF_TEXT + 1;
  }

  /** Hugging Face's GPT-2 tokenizer files ({@link Gpt2TokenizerFiles}). */
  @Override
  public void writeFiles(Path dir) throws IOException {
    Gpt2TokenizerFiles.write(dir);
  }
}
