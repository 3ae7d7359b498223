package io.llmft.common.messaging;

import io.llmft.common.rest.FieldError;
import io.llmft.common.rest.Problem;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.DatasetJob;
import io.llmft.contract.InferenceJob;
import io.llmft.contract.JobEvent;
import io.llmft.contract.Pipeline;
import io.llmft.contract.PipelineStep;
import io.llmft.contract.ScoringJob;
import io.llmft.contract.TrainingJob;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The message records and stored documents that Jackson reads and writes outside REST signatures,
 * registered so that the native images (dataset, scoring) can (de)serialize them.
 */
@RegisterForReflection(
    targets = {
      DatasetJob.class,
      DatasetJob.Source.class,
      DatasetJob.SplitFractions.class,
      TrainingJob.class,
      InferenceJob.class,
      ScoringJob.class,
      ScoringJob.Judge.class,
      Pipeline.class,
      PipelineStep.class,
      JobEvent.class,
      Problem.class,
      FieldError.class,
      DatasetArtifacts.Manifest.class
    })
final class MessageReflection {
  private MessageReflection() {}
}
