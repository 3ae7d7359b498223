package io.llmft.inference.openai;

import io.llmft.core.text.PromptStyle;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
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
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
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
    bytes.writeBytes(token);
    stopped = firstStop(clean(decodedPrefix())) != null;
    return !stopped;
  }

  /** The text that became safe to send since the last call ("" when none). */
  String delta() {
    String visible = visible();
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

  /** The whole text of the ended completion. */
  String text() {
    return cut(clean(new String(bytes.toByteArray(), StandardCharsets.UTF_8)));
  }

  /** What may be sent now: the text so far less what may still change. */
  private String visible() {
    String decoded = decodedPrefix();
    if (style != null) {
      decoded =
          decoded.substring(0, decoded.length() - partialSuffix(decoded, style.responseHeader()));
    }
    String text = clean(decoded);
    if (stopped) {
      return cut(text);
    }
    int end = text.length() - pendingStop(text);
    if (style != null) {
      end = Math.min(end, text.stripTrailing().length());
    }
    return text.substring(0, Math.max(0, end));
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

  /** The longest valid UTF-8 prefix of the bytes so far, decoded. */
  private String decodedPrefix() {
    byte[] all = bytes.toByteArray();
    for (int cut = 0; cut <= Math.min(3, all.length); cut++) {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(all, 0, all.length - cut))
            .toString();
      } catch (CharacterCodingException e) {
        // an incomplete character at the end: try without its bytes
      }
    }
    return new String(all, StandardCharsets.UTF_8); // not UTF-8 at all: as the final text has it
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
