package io.llmft.scoring.judge;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.text.ChatRows;
import io.llmft.text.PromptStyle;

/**
 * What a judge is shown of an entry: for the book's rows its Alpaca prompt and output; for a
 * conversation (a chat dataset's row, {@code messages}) its turns up to the last user turn as a
 * transcript, one {@code role: content} line each, and the assistant's turn after it.
 */
public final class JudgedEntry {
  private JudgedEntry() {}

  public static boolean isConversation(JsonNode entry) {
    return entry.path("messages").isArray();
  }

  /** What the model was asked. */
  public static String input(JsonNode entry) {
    if (!isConversation(entry)) {
      return PromptStyle.ALPACA.formatInput(DatasetArtifacts.toEntry(entry));
    }
    JsonNode messages = entry.get("messages");
    int last = ChatRows.lastUserTurn(messages);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i <= last; i++) {
      JsonNode m = messages.get(i);
      b.append(i == 0 ? "" : "\n")
          .append(m.path("role").asText())
          .append(": ")
          .append(m.path("content").asText(""));
    }
    return b.toString();
  }

  /** The answer it is compared with ("" when a conversation has no turn after its last user's). */
  public static String reference(JsonNode entry) {
    if (!isConversation(entry)) {
      return entry.path("output").asText("");
    }
    JsonNode messages = entry.get("messages");
    int last = ChatRows.lastUserTurn(messages);
    return last >= 0 && last + 1 < messages.size()
        ? messages.get(last + 1).path("content").asText("")
        : "";
  }
}
