package io.llmft.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /training-jobs} body and {@code training-jobs} message. {@code baseModel}: see {@link
 * ModelRef}. {@code checkpointEvery}: optimizer steps between the checkpoints a restarted trainer
 * resumes from (the service's default when absent). {@code precision}: {@code "fp32"} (default) or
 * {@code "bf16"} matrix products, fp32 master weights.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingJob(
    Integer schemaVersion,
    String jobId,
    String datasetId,
    ModelRef baseModel,
    Integer epochs,
    Integer batchSize,
    Double learningRate,
    Double weightDecay,
    Integer evalFreq,
    Integer evalIter,
    Long seed,
    Boolean shuffle,
    Boolean maskInstructions,
    LoraSpec lora,
    Integer maxSteps,
    Integer checkpointEvery,
    String precision,
    Pipeline pipeline)
    implements JobMessage {}
