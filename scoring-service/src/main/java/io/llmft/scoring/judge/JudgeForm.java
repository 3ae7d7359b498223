package io.llmft.scoring.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.contract.ScoringJob.Judge;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a resolved judge is asked for one response and how its answer becomes a score: the prompt
 * ({@code book}: 0-100, {@code rubric}: 1-5 with a justification), the JSON schema the server must
 * follow when {@code output} is {@code json}, and the score's scale.
 */
public final class JudgeForm {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RUBRIC_SCORE =
      Pattern.compile("(?i)\\bscore\\s*[:=]?\\s*\\**\\s*([+-]?\\d+)");

  /** The scale a judge's scores are on, both ends included. */
  public record Scale(int min, int max) {
    boolean contains(long score) {
      return score >= min && score <= max;
    }
  }

  public static final Scale BOOK_SCALE = new Scale(0, 100);
  public static final Scale RUBRIC_SCALE = new Scale(1, 5);

  private final Judge judge;
  private final Scale scale;
  private final JsonNode schema;

  private JudgeForm(Judge judge) {
    this.judge = judge;
    this.schema = judge.schema() != null ? judge.schema() : defaultSchema(judge.prompt());
    this.scale = scaleOf(judge);
  }

  /** The form of a judge whose fields are all resolved ({@link Judges#resolve}). */
  public static JudgeForm of(Judge resolved) {
    return new JudgeForm(resolved);
  }

  public Scale scale() {
    return scale;
  }

  /** The score of an empty response, given without asking: the bottom of the scale. */
  public int lowest() {
    return scale.min();
  }

  public boolean json() {
    return Judge.JSON.equals(judge.output());
  }

  /** The schema to send, or null for a text answer. */
  public JsonNode schema() {
    return json() ? schema : null;
  }

  public String prompt(JsonNode entry, String responseKey) {
    boolean rubric = Judge.RUBRIC.equals(judge.prompt());
    if (!rubric) {
      return BookJudgePrompt.prompt(entry, responseKey);
    }
    return RubricPrompt.prompt(entry, responseKey, json());
  }

  /** The score in an answer, when there is one on the scale. */
  public OptionalInt read(String raw) {
    if (raw == null) {
      return OptionalInt.empty();
    }
    if (json()) {
      return readJson(raw, judge.scoreProperty());
    }
    if (Judge.RUBRIC.equals(judge.prompt())) {
      Matcher m = RUBRIC_SCORE.matcher(raw);
      String last = null;
      while (m.find()) {
        last = m.group(1);
      }
      if (last == null && raw.strip().matches("[+-]?\\d+")) {
        last = raw.strip();
      }
      return last == null ? OptionalInt.empty() : onScale(last);
    }
    OptionalInt book = BookJudgePrompt.parse(raw);
    return book.isPresent() && scale.contains(book.getAsInt()) ? book : OptionalInt.empty();
  }

  private OptionalInt readJson(String raw, String property) {
    JsonNode answer;
    try {
      answer = JSON.readTree(raw.strip());
    } catch (Exception e) {
      return OptionalInt.empty();
    }
    JsonNode value = answer == null ? null : answer.get(property);
    if (value == null || !value.isNumber() || !value.canConvertToExactIntegral()) {
      return OptionalInt.empty();
    }
    long score = value.asLong();
    return scale.contains(score) ? OptionalInt.of((int) score) : OptionalInt.empty();
  }

  private OptionalInt onScale(String digits) {
    try {
      int score = Integer.parseInt(digits.startsWith("+") ? digits.substring(1) : digits);
      return scale.contains(score) ? OptionalInt.of(score) : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  private Scale scaleOf(Judge judge) {
    Scale byPrompt = Judge.RUBRIC.equals(judge.prompt()) ? RUBRIC_SCALE : BOOK_SCALE;
    if (!json()) {
      return byPrompt;
    }
    JsonNode property = schema.path("properties").path(judge.scoreProperty());
    if (property.path("minimum").canConvertToExactIntegral()
        && property.path("maximum").canConvertToExactIntegral()) {
      return new Scale(property.get("minimum").asInt(), property.get("maximum").asInt());
    }
    return byPrompt;
  }

  /**
   * The schema of a {@code json} answer when the job gives none: the score, and for the rubric a
   * justification first.
   */
  static JsonNode defaultSchema(String prompt) {
    boolean rubric = Judge.RUBRIC.equals(prompt);
    Scale scale = rubric ? RUBRIC_SCALE : BOOK_SCALE;
    ObjectNode schema = JSON.createObjectNode().put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    if (rubric) {
      properties.putObject("justification").put("type", "string");
    }
    properties
        .putObject("score")
        .put("type", "integer")
        .put("minimum", scale.min())
        .put("maximum", scale.max());
    var required = schema.putArray("required");
    if (rubric) {
      required.add("justification");
    }
    required.add("score");
    return schema;
  }
}
