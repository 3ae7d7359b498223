package io.llmft.contract;

/** Names of the ids a pipeline carries from stage to stage. */
public final class PipelineContext {
  public static final String DATASET_ID = "datasetId";
  public static final String MODEL = "model";
  public static final String INFERENCE_JOB_ID = "inferenceJobId";

  private PipelineContext() {}
}
