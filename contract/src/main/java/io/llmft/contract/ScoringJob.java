package io.llmft.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * {@code POST /scoring-jobs} body and {@code scoring-jobs} message. Every scoring job also gives
 * reference metrics against the expected outputs (ROUGE-L F1, exact match); {@code referenceOnly}
 * gives only those, without a judge.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScoringJob(
    Integer schemaVersion,
    String jobId,
    String inferenceJobId,
    List<JsonNode> entries,
    String responseKey,
    Judge judge,
    Boolean referenceOnly,
    Pipeline pipeline)
    implements JobMessage {

  /**
   * Who judges and how: {@code api} {@value #OLLAMA} ({@code /api/chat}, the book's route) or
   * {@value #OPENAI} (any OpenAI-compatible chat endpoint, {@code url} the base ending in {@code
   * /v1}); {@code output} {@value #TEXT} (an integer in the answer) or {@value #JSON} (a JSON
   * schema the server must follow, {@code schema} or the prompt's own, the score read from {@code
   * scoreProperty}); {@code prompt} {@value #BOOK} (0-100, the book's) or {@value #RUBRIC} (1-5
   * with a short justification). An API key is never part of a job: {@code apiKeySecret} names a
   * secret the service holds. Unset fields take the service's defaults.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Judge(
      String url,
      String model,
      String api,
      String output,
      String prompt,
      JsonNode schema,
      String scoreProperty,
      String apiKeySecret,
      Boolean stream) {
    public static final String OLLAMA = "ollama";
    public static final String OPENAI = "openai";
    public static final String TEXT = "text";
    public static final String JSON = "json";
    public static final String BOOK = "book";
    public static final String RUBRIC = "rubric";

    public static Judge of(String url, String model) {
      return new Judge(url, model, null, null, null, null, null, null, null);
    }
  }
}
