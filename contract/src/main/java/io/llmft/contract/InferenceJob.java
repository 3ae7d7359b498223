package io.llmft.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /inference-jobs} body and {@code inference-jobs} message. {@code batchSize}: how many
 * entries are decoded together (greedy answers are those of one at a time).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InferenceJob(
    Integer schemaVersion,
    String jobId,
    ModelRef model,
    String datasetId,
    String split,
    Integer maxNewTokens,
    Integer batchSize,
    Pipeline pipeline)
    implements JobMessage {}
