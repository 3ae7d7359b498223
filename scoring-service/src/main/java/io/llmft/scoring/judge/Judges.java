package io.llmft.scoring.judge;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.rest.Validation;
import io.llmft.contract.ScoringJob.Judge;
import io.llmft.scoring.client.JudgeSecrets;
import io.llmft.scoring.client.JudgeUrls;
import io.llmft.scoring.config.OllamaConfig;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job's judge checked and completed with the service's defaults: Ollama's {@code /api/chat} at
 * {@code ollama.host} with {@code ollama.model}, a text answer to the book's prompt, streamed as
 * Ollama streams by default (an OpenAI-compatible server answers in one piece unless asked to
 * stream, as its API does).
 */
@Singleton
public class Judges {
  private static final Set<String> APIS = Set.of(Judge.OLLAMA, Judge.OPENAI);
  private static final Set<String> OUTPUTS = Set.of(Judge.TEXT, Judge.JSON);
  private static final Set<String> PROMPTS = Set.of(Judge.BOOK, Judge.RUBRIC);
  private static final int MAX_SCHEMA_CHARS = 16_384;

  private final OllamaConfig ollama;
  private final JudgeUrls urls;
  private final JudgeSecrets secrets;

  public Judges(OllamaConfig ollama, JudgeUrls urls, JudgeSecrets secrets) {
    this.ollama = ollama;
    this.urls = urls;
    this.secrets = secrets;
  }

  /**
   * Adds an error naming {@code field + ".<name>"} for each field of {@code judge} that is wrong.
   */
  public void validate(Judge judge, String field, Validation v) {
    if (judge == null) {
      return;
    }
    v.maxLength(judge.url(), 2048, field + ".url");
    v.check(
        judge.url() == null || urls.admits(judge.url()),
        field + ".url",
        "is not a judge this service may call (JUDGE_ALLOWED_URLS)");
    v.maxLength(judge.model(), 200, field + ".model");
    v.check(judge.api() == null || APIS.contains(judge.api()), field + ".api", "one of " + APIS);
    v.check(
        judge.output() == null || OUTPUTS.contains(judge.output()),
        field + ".output",
        "one of " + OUTPUTS);
    v.check(
        judge.prompt() == null || PROMPTS.contains(judge.prompt()),
        field + ".prompt",
        "one of " + PROMPTS);
    boolean json = Judge.JSON.equals(judge.output());
    v.check(
        judge.schema() == null || json,
        field + ".schema",
        "a schema is sent only with \"output\": \"json\"");
    v.check(
        judge.scoreProperty() == null || json,
        field + ".scoreProperty",
        "the score is read from a property only with \"output\": \"json\"");
    if (judge.schema() != null && json) {
      String problem = schemaProblem(judge.schema(), judge.scoreProperty());
      v.check(problem == null, field + ".schema", problem);
    }
    v.check(
        judge.apiKeySecret() == null || secrets.has(judge.apiKeySecret()),
        field + ".apiKeySecret",
        "no secret of this name in the service's judge.secrets-dir (JUDGE_SECRETS_DIR)");
  }

  /** The judge with every field set (null: the service's default judge). */
  public Judge resolve(Judge judge) {
    Judge j = judge != null ? judge : Judge.of(null, null);
    String api = j.api() != null ? j.api() : Judge.OLLAMA;
    String output = j.output() != null ? j.output() : Judge.TEXT;
    String prompt = j.prompt() != null ? j.prompt() : Judge.BOOK;
    JsonNode schema =
        Judge.JSON.equals(output)
            ? (j.schema() != null ? j.schema() : JudgeForm.defaultSchema(prompt))
            : null;
    String scoreProperty = schema == null ? null : scorePropertyOf(schema, j.scoreProperty());
    return new Judge(
        j.url() != null ? j.url() : ollama.host(),
        j.model() != null ? j.model() : ollama.model(),
        api,
        output,
        prompt,
        schema,
        scoreProperty,
        j.apiKeySecret(),
        j.stream() != null ? j.stream() : Judge.OLLAMA.equals(api));
  }

  /** Why a custom schema cannot be used, or null when it can. */
  static String schemaProblem(JsonNode schema, String scoreProperty) {
    if (schema.toString().length() > MAX_SCHEMA_CHARS) {
      return "must be at most " + MAX_SCHEMA_CHARS + " characters";
    }
    if (!schema.isObject()
        || !"object".equals(schema.path("type").asText())
        || !schema.path("properties").isObject()) {
      return "must be an object schema: {\"type\": \"object\", \"properties\": {...}}";
    }
    String property = scorePropertyOf(schema, scoreProperty);
    if (property == null) {
      return "names no property \"score\" and not exactly one integer property: give scoreProperty";
    }
    JsonNode score = schema.path("properties").path(property);
    if (!integral(score)) {
      return "has no integer property '" + property + "' (scoreProperty)";
    }
    return scaleProblem(score, property);
  }

  /**
   * Why a score's {@code minimum} and {@code maximum} make no scale (the scores are spread over it,
   * so an empty or reversed one would divide by zero), or null.
   */
  private static String scaleProblem(JsonNode score, String property) {
    JsonNode min = score.path("minimum");
    JsonNode max = score.path("maximum");
    if (min.isMissingNode() && max.isMissingNode()) {
      return null;
    }
    if (!min.canConvertToExactIntegral()
        || !max.canConvertToExactIntegral()
        || !min.canConvertToInt()
        || !max.canConvertToInt()) {
      return "'" + property + "' needs both minimum and maximum as integers";
    }
    return min.asInt() < max.asInt() ? null : "'" + property + "': minimum must be below maximum";
  }

  /** {@code named}, else {@code score}, else the schema's only integer property; null if none. */
  private static String scorePropertyOf(JsonNode schema, String named) {
    if (named != null) {
      return named;
    }
    JsonNode properties = schema.path("properties");
    if (integral(properties.path("score"))) {
      return "score";
    }
    List<String> integers = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      if (integral(p.getValue())) {
        integers.add(p.getKey());
      }
    }
    return integers.size() == 1 ? integers.get(0) : null;
  }

  private static boolean integral(JsonNode property) {
    String type = property.path("type").asText();
    return "integer".equals(type) || "number".equals(type);
  }
}
