package io.llmft.runner;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.contract.DatasetJob;
import io.llmft.contract.JobMessage;
import io.llmft.contract.JsonSupport;
import io.llmft.contract.Pipeline;
import io.llmft.contract.PipelineStep;
import io.llmft.contract.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The main job's one message: the bundled dataset, then training, inference and scoring. */
final class PipelineMessage {
  private PipelineMessage() {}

  /** The one dataset job whose pipeline runs training, inference and (with a judge) scoring. */
  static DatasetJob of(RunnerOptions options, String pipelineId, boolean judge) {
    List<PipelineStep> next = new ArrayList<>();
    ObjectNode training = JsonSupport.MAPPER.createObjectNode();
    if (options.baseModelPath != null) {
      training.putObject("baseModel").put("path", options.baseModelPath);
    } else {
      ObjectNode base = training.putObject("baseModel");
      base.putObject("config")
          .put("emb_dim", options.embDim)
          .put("n_layers", options.layers)
          .put("n_heads", options.heads)
          .put("context_length", options.contextLength);
      base.put("seed", 123);
    }
    training.put("epochs", options.epochs);
    if (options.maxSteps != null) {
      training.put("maxSteps", options.maxSteps);
    }
    next.add(new PipelineStep(Stage.TRAINING, training));
    next.add(
        new PipelineStep(
            Stage.INFERENCE,
            JsonSupport.MAPPER
                .createObjectNode()
                .put("split", "test")
                .put("maxNewTokens", options.maxNewTokens)
                .put("batchSize", options.inferenceBatchSize)));
    if (judge) {
      ObjectNode scoring = JsonSupport.MAPPER.createObjectNode();
      scoring.putObject("judge").put("url", options.ollama);
      next.add(new PipelineStep(Stage.SCORING, scoring));
    }
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
}
