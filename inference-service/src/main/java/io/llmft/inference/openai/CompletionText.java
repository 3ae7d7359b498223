package io.llmft.inference.openai;

import io.llmft.text.PromptStyle;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The text of a completion as its tokens arrive, and the part of it that is safe to send: never
 * half of a multi-byte character, never a part of a stop sequence or of the response header that
 * may still complete, never whitespace that the end may strip. The final text is what {@code POST
 * /generate} answers for the same tokens: for a chat, the prompt style's extraction of the response
 * (its header removed, stripped); for a raw completion, the text as it is. A stop sequence ends it
 * just before the sequence.
 */
final class CompletionText {
  private final PromptStyle style;
  private final List<String> stops;

  /** Decodes as the bytes arrive; an incomplete character waits in it for its next bytes. */
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);

  private ByteBuffer pending = ByteBuffer.allocate(0);
  private final StringBuilder decoded = new StringBuilder();
  private String visible = "";
  private int sent;
  private boolean stopped;

  /**
   * @param style the chat's prompt style, or null for a raw completion
   */
  CompletionText(PromptStyle style, List<String> stops) {
    this.style = style;
    this.stops = List.copyOf(stops);
  }

  /**
   * Adds a token's bytes.
   *
   * @return false when a stop sequence has appeared: the completion ends here
   */
  boolean add(byte[] token) {
    ByteBuffer in = ByteBuffer.allocate(pending.remaining() + token.length);
    in.put(pending).put(token).flip();
    CharBuffer out = CharBuffer.allocate(in.remaining());
    decoder.decode(in, out, false);
    decoded.append(out.flip());
    pending = in; // the start of a character whose other bytes have not come yet
    String text = clean(withoutPartialHeader(decoded.toString()));
    stopped = firstStop(text) != null;
    visible = stopped ? cut(text) : holdBack(text);
    return !stopped;
  }

  /** The text that became safe to send since the last call ("" when none). */
  String delta() {
    String delta = visible.length() > sent ? visible.substring(sent) : "";
    sent = Math.max(sent, visible.length());
    return delta;
  }

  /** What is left to send once the completion has ended. */
  String rest() {
    String all = text();
    String rest = all.length() > sent ? all.substring(sent) : "";
    sent = all.length();
    return rest;
  }

  /** The whole text of the ended completion (an unfinished last character as U+FFFD). */
  String text() {
    byte[] tail = new byte[pending.remaining()];
    pending.duplicate().get(tail);
    return cut(clean(decoded + new String(tail, StandardCharsets.UTF_8)));
  }

  /** The text less what may still change: the start of a stop sequence, trailing space. */
  private String holdBack(String text) {
    int end = text.length() - pendingStop(text);
    if (style != null) {
      end = Math.min(end, text.stripTrailing().length());
    }
    return text.substring(0, Math.max(0, end));
  }

  /** For a chat, the text without a response header that may still be completing at its end. */
  private String withoutPartialHeader(String text) {
    return style == null
        ? text
        : text.substring(0, text.length() - partialSuffix(text, style.responseHeader()));
  }

  /** For a chat, the response header removed and the leading space; a raw completion as it is. */
  private String clean(String decoded) {
    return style == null ? decoded : decoded.replace(style.responseHeader(), "").stripLeading();
  }

  /** The text up to its first stop sequence; for a chat, stripped as the book's extraction does. */
  private String cut(String text) {
    Integer stop = firstStop(text);
    String kept = stop == null ? text : text.substring(0, stop);
    return style == null ? kept : kept.strip();
  }

  private Integer firstStop(String text) {
    Integer first = null;
    for (String stop : stops) {
      int at = text.indexOf(stop);
      if (at >= 0 && (first == null || at < first)) {
        first = at;
      }
    }
    return first;
  }

  /** How many characters at the end may be the start of a stop sequence. */
  private int pendingStop(String text) {
    int longest = 0;
    for (String stop : stops) {
      longest = Math.max(longest, partialSuffix(text, stop));
    }
    return longest;
  }

  /** The length of the longest proper prefix of {@code word} that {@code text} ends with. */
  static int partialSuffix(String text, String word) {
    for (int n = Math.min(word.length() - 1, text.length()); n > 0; n--) {
      if (text.endsWith(word.substring(0, n))) {
        return n;
      }
    }
    return 0;
  }
}
