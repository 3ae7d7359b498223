package io.llmft.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/** The pipeline stages, as named in {@code pipeline.next} and {@code job-events}. */
public enum Stage {
  DATASET("dataset", Topics.DATASET_JOBS, List.of()),
  TRAINING("training", Topics.TRAINING_JOBS, List.of(PipelineContext.DATASET_ID)),
  INFERENCE(
      "inference",
      Topics.INFERENCE_JOBS,
      List.of(PipelineContext.DATASET_ID, PipelineContext.MODEL)),
  SCORING("scoring", Topics.SCORING_JOBS, List.of(PipelineContext.INFERENCE_JOB_ID));

  private final String id;
  private final String topic;
  private final List<String> inputIds;

  Stage(String id, String topic, List<String> inputIds) {
    this.id = id;
    this.topic = topic;
    this.inputIds = inputIds;
  }

  @JsonValue
  public String id() {
    return id;
  }

  public String topic() {
    return topic;
  }

  /** The job fields this stage takes from ids produced earlier in a pipeline. */
  public List<String> inputIds() {
    return inputIds;
  }

  @JsonCreator
  public static Stage fromId(String id) {
    for (Stage s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown stage '" + id + "' (known: dataset, training, inference, scoring)");
  }
}
