package io.llmft.inference.service;

import io.llmft.common.job.JobState;

/** The inference job document served by {@code GET /inference-jobs/{id}}. */
public class InferenceState extends JobState {
  public String model;
  public String datasetId;
  public String split;
  public int maxNewTokens;
  public int batchSize;
  public String device;
  public int total;
  public int completed;
  public long generatedTokens;

  /** Entries a previous run had answered when this run resumed the job. */
  public Integer resumedAfter;

  public Double generationSeconds;
}
