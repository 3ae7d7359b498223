package io.llmft.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /training-jobs} body and {@code training-jobs} message. {@code baseModel}: see {@link
 * ModelRef}. {@code checkpointEvery}: optimizer steps between the checkpoints a restarted trainer
 * resumes from (the service's default when absent). {@code precision}: {@code "auto"} (default:
 * bf16 where the device multiplies bfloat16 natively, else fp32), {@code "fp32"} or {@code "bf16"}
 * matrix products (refused where bfloat16 would be emulated), fp32 master weights. {@code
 * warmupSteps} and {@code lrDecay} ({@code "none"}, the default, or {@code "cosine"}): the
 * learning-rate schedule of the book's appendix D around {@code learningRate}; chapter 7 has none.
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
    Integer warmupSteps,
    String lrDecay,
    Integer checkpointEvery,
    String precision,
    Pipeline pipeline)
    implements JobMessage {}
