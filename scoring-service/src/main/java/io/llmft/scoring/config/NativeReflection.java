package io.llmft.scoring.config;

import io.llmft.common.job.JobTiming;
import io.llmft.common.rest.Page;
import io.llmft.common.rest.Problem;
import io.llmft.contract.InferenceJob;
import io.llmft.contract.JobEvent;
import io.llmft.contract.ModelRef;
import io.llmft.contract.Pipeline;
import io.llmft.contract.PipelineStep;
import io.llmft.contract.ScoringJob;
import io.llmft.contract.TrainingJob;
import io.llmft.scoring.client.ChatRequest;
import io.llmft.scoring.service.Judged;
import io.llmft.scoring.service.ReferenceMetrics;
import io.llmft.scoring.service.ScoringState;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What Jackson reads and writes outside the REST signatures (Kafka messages, job documents, the
 * progress log, the judge's requests), made reflective for the native image.
 */
@RegisterForReflection(
    registerFullHierarchy = true,
    targets = {
      ScoringJob.class,
      ScoringJob.Judge.class,
      InferenceJob.class,
      TrainingJob.class,
      TrainingJob.Dpo.class,
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
      ScoringState.class,
      ScoringState.Score.class,
      ScoringState.Unparsed.class,
      Judged.class,
      ChatRequest.class,
      ChatRequest.Message.class,
      ChatRequest.Options.class,
      ReferenceMetrics.class
    })
public final class NativeReflection {
  private NativeReflection() {}
}
