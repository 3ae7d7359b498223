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
    Comparison comparison,
    Pipeline pipeline)
    implements JobMessage {

  /**
   * A scoring job that compares two or more response sources over the same entries ({@code POST
   * /comparisons}): each source an inference job's responses or a response key of {@code entries};
   * {@code mode} {@value #SCORES} (each scored, then paired statistics against the first source) or
   * {@value #PAIRWISE} (the judge names the better of two responses, asked in both orders); {@code
   * secondJudge} scores the same responses again for the judges' agreement.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Comparison(
      String mode, List<Source> sources, Judge secondJudge, Integer bootstrapResamples, Long seed) {
    public static final String SCORES = "scores";
    public static final String PAIRWISE = "pairwise";
  }

  /** One side of a comparison: {@code inferenceJobId} or {@code responseKey} of the entries. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Source(String name, String inferenceJobId, String responseKey) {}

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
