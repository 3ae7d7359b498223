package io.llmft.runner;

import io.llmft.contract.DatasetJob;
import io.llmft.contract.InferenceJob;
import io.llmft.contract.JobMessage;
import io.llmft.contract.JsonSupport;
import io.llmft.contract.Pipeline;
import io.llmft.contract.PipelineStep;
import io.llmft.contract.ScoringJob;
import io.llmft.contract.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The main job's one message: the bundled dataset, then training, inference and scoring. */
final class PipelineMessage {
  private PipelineMessage() {}

  /**
   * The one dataset job whose pipeline runs training, inference and scoring (the judge's, or only
   * the reference metrics).
   */
  static DatasetJob of(RunnerOptions options, String pipelineId, boolean judge) {
    InferenceJob inference =
        new InferenceJob(
            null, null, null, null, "test", options.maxNewTokens, options.inferenceBatchSize, null);
    List<PipelineStep> next = new ArrayList<>();
    next.add(step(Stage.TRAINING, TrainingPlan.of(options).job()));
    next.add(step(Stage.INFERENCE, inference));
    // without a judge, scoring still gives the reference metrics (ROUGE-L, exact match)
    next.add(
        step(
            Stage.SCORING,
            judge
                ? new ScoringJob(
                    null,
                    null,
                    null,
                    null,
                    null,
                    new ScoringJob.Judge(options.ollama, null),
                    null,
                    null)
                : new ScoringJob(null, null, null, null, null, null, true, null)));
    return new DatasetJob(
        JobMessage.SCHEMA_VERSION,
        pipelineId + "-" + Stage.DATASET.id(),
        DatasetJob.Source.INSTRUCTION_DATA,
        new DatasetJob.Source(DatasetJob.Source.INSTRUCTION_DATA, null, null),
        null,
        null,
        null,
        null,
        null,
        new Pipeline(pipelineId, next, Map.of()));
  }

  /** A later stage's job; the ids the earlier stages produce are filled in as they finish. */
  private static PipelineStep step(Stage stage, Object job) {
    return new PipelineStep(stage, JsonSupport.MAPPER.valueToTree(job));
  }
}
