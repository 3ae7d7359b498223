package io.llmft.trainer.service;

import io.llmft.common.rest.Validation;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.TrainingJob;
import io.llmft.core.model.Precision;
import io.llmft.core.train.TrainingSettings;
import io.llmft.trainer.config.TrainerConfig;
import jakarta.inject.Singleton;

/**
 * What a training job may say, and what it means once the defaults are filled in: the book's
 * hyper-parameters where the job names none, {@code trainer.checkpoint-every}, fp32.
 */
@Singleton
public class TrainingJobRules {
  private final DatasetArtifacts datasets;
  private final BaseModels baseModels;
  private final TrainerConfig config;

  public TrainingJobRules(DatasetArtifacts datasets, BaseModels baseModels, TrainerConfig config) {
    this.datasets = datasets;
    this.baseModels = baseModels;
    this.config = config;
  }

  /**
   * @throws io.llmft.common.rest.ProblemException 400 naming every invalid field
   */
  public void validate(TrainingJob job) {
    Validation v = new Validation();
    v.id(job.jobId(), "jobId");
    v.check(job.datasetId() != null, "datasetId", "is required");
    v.check(
        job.datasetId() == null || datasets.exists(job.datasetId()),
        "datasetId",
        "no prepared dataset with this id in the artifact store");
    baseModels.validate(job.baseModel(), v);
    // Upper bounds: far beyond the book's settings, low enough that no value can exhaust the
    // machine or overflow a step count.
    v.between(job.epochs(), 1, 1000, "epochs")
        .between(job.batchSize(), 1, 1024, "batchSize")
        .between(job.learningRate(), 1e-12, 10, "learningRate")
        .between(job.weightDecay(), 0, 10, "weightDecay")
        .between(job.evalFreq(), 1, 1_000_000, "evalFreq")
        .between(job.evalIter(), 1, 10_000, "evalIter")
        .between(job.maxSteps(), 1, 10_000_000, "maxSteps")
        .between(job.checkpointEvery(), 1, 10_000_000, "checkpointEvery");
    v.check(
        job.precision() == null || Precision.ids().contains(job.precision()),
        "precision",
        "must be one of " + Precision.ids());
    v.throwIfInvalid();
  }

  public TrainingSettings settings(TrainingJob job) {
    TrainingSettings book = TrainingSettings.book();
    return new TrainingSettings(
        job.epochs() != null ? job.epochs() : book.epochs(),
        job.batchSize() != null ? job.batchSize() : book.batchSize(),
        job.learningRate() != null ? job.learningRate() : book.learningRate(),
        job.weightDecay() != null ? job.weightDecay() : book.weightDecay(),
        job.evalFreq() != null ? job.evalFreq() : book.evalFreq(),
        job.evalIter() != null ? job.evalIter() : book.evalIter(),
        job.seed() != null ? job.seed() : book.seed(),
        job.shuffle() != null ? job.shuffle() : book.shuffle(),
        job.maxSteps());
  }

  public Precision precision(TrainingJob job) {
    return job.precision() == null ? Precision.FP32 : Precision.fromId(job.precision());
  }

  public int checkpointEvery(TrainingJob job) {
    return job.checkpointEvery() != null ? job.checkpointEvery() : config.checkpointEvery();
  }

  public boolean masksInstructions(TrainingJob job) {
    return Boolean.TRUE.equals(job.maskInstructions());
  }

  /** The job's settings as its document records them. */
  public TrainingState.Hyperparameters hyperparameters(TrainingJob job, int allowedMaxLength) {
    TrainingSettings s = settings(job);
    return new TrainingState.Hyperparameters(
        s.epochs(),
        s.batchSize(),
        s.learningRate(),
        s.weightDecay(),
        s.evalFreq(),
        s.evalIter(),
        s.seed(),
        s.shuffle(),
        s.maxSteps(),
        masksInstructions(job),
        allowedMaxLength,
        checkpointEvery(job),
        precision(job).id());
  }
}
