package io.llmft.common.config;

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
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The contract's records and the documents every service shares, which Jackson reads and writes
 * outside the REST signatures (Kafka messages, job documents, the artifact store): reflective in a
 * native image, where GraalVM keeps only what it sees used. Each native service adds its own types.
 */
@RegisterForReflection(
    registerFullHierarchy = true,
    targets = {
      DatasetJob.class,
      DatasetJob.Source.class,
      DatasetJob.SplitFractions.class,
      DatasetJob.Duplicates.class,
      TrainingJob.class,
      TrainingJob.Dpo.class,
      InferenceJob.class,
      ScoringJob.class,
      ScoringJob.Judge.class,
      ScoringJob.Comparison.class,
      ScoringJob.Source.class,
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
      DatasetArtifacts.Manifest.class
    })
public final class ContractReflection {
  private ContractReflection() {}
}
