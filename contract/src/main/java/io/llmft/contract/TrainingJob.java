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
 * {@code method}: {@code "sft"} (default: chapter 7's instruction finetuning) or {@code "dpo"}
 * (preference tuning as the book's DPO notebook, on a preference dataset, against {@code
 * referenceModel}, by default the base model itself; {@code dpo.beta} 0.1 by default).
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
    String method,
    Dpo dpo,
    ModelRef referenceModel,
    String trainOn,
    String chatTemplate,
    java.util.Map<String, Object> chatTemplateKwargs,
    String longRows,
    Pipeline pipeline)
    implements JobMessage {
  public static final String SFT = "sft";
  public static final String DPO = "dpo";

  /** {@code trainOn} for chat datasets: the assistant's turns (the default) or every token. */
  public static final String TRAIN_ON_ASSISTANT = "assistant";

  public static final String TRAIN_ON_ALL = "all";

  /**
   * {@code longRows} for chat datasets: a conversation longer than {@code allowedMaxLength} ids is
   * left out and counted (the default), or cut to it and kept while a target remains.
   */
  public static final String LONG_ROWS_DROP = "drop";

  public static final String LONG_ROWS_TRUNCATE = "truncate";

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean truncatesLongRows() {
    return LONG_ROWS_TRUNCATE.equals(longRows);
  }

  /** DPO's settings: {@code beta}, how far the policy may move from the reference. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Dpo(Double beta) {
    public static final double DEFAULT_BETA = 0.1;

    @com.fasterxml.jackson.annotation.JsonIgnore
    public double betaOrDefault() {
      return beta != null ? beta : DEFAULT_BETA;
    }
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isDpo() {
    return DPO.equals(method);
  }
}
