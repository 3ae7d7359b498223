package io.llmft.contract;

/** Names of the ids a pipeline carries from stage to stage. */
public final class PipelineContext {
  public static final String DATASET_ID = "datasetId";
  public static final String MODEL = "model";
  public static final String INFERENCE_JOB_ID = "inferenceJobId";

  /**
   * Every inference job of the pipeline so far, comma-separated, in the order they ran: a
   * comparison's sources that name none take the last ones.
   */
  public static final String INFERENCE_JOB_IDS = "inferenceJobIds";

  private PipelineContext() {}
}
