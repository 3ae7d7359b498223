package io.llmft.common.store;

import io.llmft.contract.ModelDirectory;
import io.llmft.contract.PretrainedModel;
import io.llmft.contract.Stage;
import java.nio.file.Path;

/**
 * Where everything lives in the artifact store; the only class that knows its paths.
 *
 * <pre>
 * datasets/{id}/dataset.json, .source/   models/{id}/training.json   base-models/{name}/
 * responses/{id}/responses.json, responses/{id}/progress.jsonl (while the job runs)
 * scores/{id}/scores.json,       scores/{id}/progress.jsonl    (while the job runs)
 * training-checkpoints/{id}/   jobs/{stage}/{id}.json      jobs/{stage}/requests/{id}.json
 * pipelines/{id}/plan.json, pipelines/{id}/jobs/{jobId}.json
 * </pre>
 */
public final class ArtifactLayout {
  private final Path root;

  public ArtifactLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  public Path dataset(String id) {
    return area("datasets", id, "datasetId");
  }

  /** The manifest whose presence means the dataset is complete. */
  public Path datasetManifest(String id) {
    return dataset(id).resolve("dataset.json");
  }

  /** Where a URL source is downloaded to while its dataset job runs. */
  public Path datasetDownload(String id) {
    return dataset(id).resolve(".source");
  }

  /** What is known of each pipeline: one file per stage, fed by job-events. */
  public Path pipelines() {
    return root.resolve("pipelines");
  }

  public Path pipeline(String id) {
    return area("pipelines", id, "pipelineId");
  }

  /** Every finetuned model, one directory each. */
  public Path models() {
    return root.resolve("models");
  }

  public Path model(String id) {
    return area("models", id, "model");
  }

  /** The training job document saved beside a finetuned model: its lineage. */
  public Path modelTrainingRecord(String id) {
    return model(id).resolve("training.json");
  }

  /** The default root that local paths in requests may name (ALLOWED_IMPORT_ROOTS). */
  public Path imports() {
    return root.resolve("imports");
  }

  public Path baseModels() {
    return root.resolve("base-models");
  }

  /**
   * Where a training job keeps a pretrained GPT-2 it downloaded ({@code base-models/gpt2-medium}).
   */
  public Path baseModel(PretrainedModel model) {
    return baseModels().resolve(model.shortName());
  }

  /** Whether {@code models/{id}} holds a finetuned model (an invalid id holds none). */
  public boolean hasModel(String id) {
    return Ids.isValid(id) && ModelDirectory.holdsModel(model(id));
  }

  public Path responses(String inferenceJobId) {
    return area("responses", inferenceJobId, "inferenceJobId").resolve("responses.json");
  }

  public Path responsesProgress(String inferenceJobId) {
    return area("responses", inferenceJobId, "inferenceJobId").resolve("progress.jsonl");
  }

  public Path scores(String scoringJobId) {
    return area("scores", scoringJobId, "id").resolve("scores.json");
  }

  public Path scoresProgress(String scoringJobId) {
    return area("scores", scoringJobId, "id").resolve("progress.jsonl");
  }

  public Path trainingCheckpoints(String trainingJobId) {
    return area("training-checkpoints", trainingJobId, "id");
  }

  public Path jobs(Stage stage) {
    return root.resolve("jobs").resolve(stage.id());
  }

  public Path job(Stage stage, String id) {
    return jobs(stage).resolve(Ids.require(id, "id") + ".json");
  }

  public Path jobRequest(Stage stage, String id) {
    return jobs(stage).resolve("requests").resolve(Ids.require(id, "id") + ".json");
  }

  private Path area(String area, String id, String field) {
    return root.resolve(area).resolve(Ids.require(id, field));
  }
}
