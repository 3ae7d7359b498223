package io.llmft.core.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/** {@code POST /inference-jobs} body and {@code inference-jobs} message. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InferenceJob(
    Integer schemaVersion,
    String jobId,
    JsonNode model,
    String datasetId,
    String split,
    Integer maxNewTokens,
    Pipeline pipeline)
    implements JobMessage {}
