package io.llmft.scoring.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The book's judge prompt turned into a choice between two responses to the same entry: the judge
 * names the better one, {@code A} or {@code B} (as text, or as {@code {"better": "A"}} under a
 * schema).
 */
public final class PairwisePrompt {
  private static final Pattern LETTER = Pattern.compile("(?i)^\\W*(?:response\\s+)?([AB])\\W*$");

  public static final JsonNode SCHEMA = schema();

  private PairwisePrompt() {}

  public static String prompt(JsonNode entry, String first, String second, boolean json) {
    return "Given the input `"
        + JudgedEntry.input(entry)
        + "` and correct output `"
        + JudgedEntry.reference(entry)
        + "`, which of the two model responses is better?\n\nResponse A: `"
        + first
        + "`\n\nResponse B: `"
        + second
        + "`\n\n"
        + (json
            ? "Respond with a JSON object naming the better response, A or B."
            : "Respond with the letter A or B only.");
  }

  /** The position the judge preferred: 0 for A, 1 for B. */
  public static Optional<Integer> read(String raw, boolean json) {
    if (raw == null) {
      return Optional.empty();
    }
    String letter = raw;
    if (json) {
      try {
        letter = new ObjectMapper().readTree(raw.strip()).path("better").asText("");
      } catch (Exception e) {
        return Optional.empty();
      }
    }
    Matcher m = LETTER.matcher(letter.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(m.group(1).equalsIgnoreCase("A") ? 0 : 1);
  }

  private static JsonNode schema() {
    ObjectNode schema = new ObjectMapper().createObjectNode().put("type", "object");
    var better = schema.putObject("properties").putObject("better").put("type", "string");
    better.putArray("enum").add("A").add("B");
    schema.putArray("required").add("better");
    return schema;
  }
}
