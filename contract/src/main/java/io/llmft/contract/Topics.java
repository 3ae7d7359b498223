package io.llmft.contract;

/** Kafka topic names of the contract; channel names equal topic names. */
public final class Topics {
  public static final String DATASET_JOBS = "dataset-jobs";
  public static final String TRAINING_JOBS = "training-jobs";
  public static final String INFERENCE_JOBS = "inference-jobs";
  public static final String SCORING_JOBS = "scoring-jobs";
  public static final String JOB_EVENTS = "job-events";
  public static final String DLQ_SUFFIX = "-dlq";

  private Topics() {}

  public static String dlq(String topic) {
    return topic + DLQ_SUFFIX;
  }
}
