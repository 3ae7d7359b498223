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

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Judge(String url, String model) {}
}
