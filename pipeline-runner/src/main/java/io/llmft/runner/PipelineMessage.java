package io.llmft.runner;

import io.llmft.contract.DatasetJob;
import io.llmft.contract.InferenceJob;
import io.llmft.contract.JobMessage;
import io.llmft.contract.JsonSupport;
import io.llmft.contract.Pipeline;
import io.llmft.contract.PipelineStep;
import io.llmft.contract.ScoringJob;
import io.llmft.contract.Stage;
import io.llmft.contract.TrainingJob;
import java.nio.file.Path;
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
    // a GPT-2 (random-init or pretrained) has no chat template of its own: it learns ChatML
    String chatTemplate = options.chat != null && options.baseModelPath == null ? "chatml" : null;
    next.add(step(Stage.TRAINING, TrainingPlan.of(options).job(chatTemplate)));
    boolean dpo = options.dpoBeta != null;
    if (dpo) {
      // the SFT model's responses too, for the comparison at the end
      next.add(step(Stage.INFERENCE, inference));
      next.add(step(Stage.TRAINING, dpo(options)));
    }
    next.add(step(Stage.INFERENCE, inference));
    next.add(step(Stage.SCORING, scoring(options, judge, dpo)));
    String data =
        options.chat != null
            ? DatasetJob.Source.CHAT_SAMPLE
            : options.dpoBeta != null
                ? DatasetJob.Source.INSTRUCTION_DATA_WITH_PREFERENCE
                : DatasetJob.Source.INSTRUCTION_DATA;
    boolean file = options.chat != null && !options.chat.equals("sample");
    return new DatasetJob(
        JobMessage.SCHEMA_VERSION,
        pipelineId + "-" + Stage.DATASET.id(),
        file ? Path.of(options.chat).getFileName().toString() : data,
        file
            ? new DatasetJob.Source(null, null, options.chat)
            : new DatasetJob.Source(data, null, null),
        null,
        null,
        options.chat != null ? DatasetJob.CHAT : null,
        null,
        null,
        null,
        null,
        new Pipeline(pipelineId, next, Map.of()));
  }

  /**
   * The DPO job after finetuning: the notebook's settings and the given beta; its base (and frozen
   * reference) is the finetuned model, which the pipeline fills in.
   */
  private static TrainingJob dpo(RunnerOptions options) {
    return new TrainingJob(
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        options.maxSteps,
        null,
        null,
        null,
        null,
        TrainingJob.DPO,
        new TrainingJob.Dpo(options.dpoBeta),
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * The judge's scores of the test responses; after DPO, the SFT model's responses against the SFT
   * → DPO model's, paired per entry (the pipeline fills in the two inference jobs). Without a
   * judge, scoring still gives the reference metrics (ROUGE-L, exact match).
   */
  private static ScoringJob scoring(RunnerOptions options, boolean judge, boolean dpo) {
    if (!judge) {
      return new ScoringJob(null, null, null, null, null, null, true, null, null);
    }
    ScoringJob.Comparison sftAgainstDpo =
        dpo
            ? new ScoringJob.Comparison(
                ScoringJob.Comparison.SCORES,
                List.of(
                    new ScoringJob.Source("sft", null, null),
                    new ScoringJob.Source("sft+dpo", null, null)),
                null,
                null,
                null)
            : null;
    return new ScoringJob(
        null,
        null,
        null,
        null,
        null,
        ScoringJob.Judge.of(options.ollama, null),
        null,
        sftAgainstDpo,
        null);
  }

  /** A later stage's job; the ids the earlier stages produce are filled in as they finish. */
  private static PipelineStep step(Stage stage, Object job) {
    return new PipelineStep(stage, JsonSupport.MAPPER.valueToTree(job));
  }
}
