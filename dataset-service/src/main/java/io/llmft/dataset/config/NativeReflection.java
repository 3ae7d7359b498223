package io.llmft.dataset.config;

import io.llmft.common.job.JobTiming;
import io.llmft.common.rest.Page;
import io.llmft.common.rest.Problem;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.DatasetJob;
import io.llmft.contract.InferenceJob;
import io.llmft.contract.JobEvent;
import io.llmft.contract.ModelRef;
import io.llmft.contract.Pipeline;
import io.llmft.contract.PipelineStep;
import io.llmft.contract.ScoringJob;
import io.llmft.contract.TrainingJob;
import io.llmft.dataset.pipeline.PipelineView;
import io.llmft.dataset.pipeline.StageRecord;
import io.llmft.dataset.service.DatasetState;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What Jackson reads and writes outside the REST signatures (Kafka messages, job documents, the
 * artifact store), made reflective for the native image: GraalVM keeps only what it sees used.
 */
@RegisterForReflection(
    registerFullHierarchy = true,
    targets = {
      DatasetJob.class,
      DatasetJob.Source.class,
      DatasetJob.SplitFractions.class,
      TrainingJob.class,
      TrainingJob.Dpo.class,
      InferenceJob.class,
      ScoringJob.class,
      ScoringJob.Judge.class,
      ModelRef.Pretrained.class,
      ModelRef.Finetuned.class,
      ModelRef.LocalPath.class,
      ModelRef.RandomInit.class,
      Pipeline.class,
      PipelineStep.class,
      JobEvent.class,
      JobTiming.class,
      Page.class,
      Problem.class,
      DatasetArtifacts.Manifest.class,
      DatasetState.class,
      DatasetState.TokenStats.class,
      DatasetState.Rejected.class,
      StageRecord.class,
      PipelineView.class
    })
public final class NativeReflection {
  private NativeReflection() {}
}
