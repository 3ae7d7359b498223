package io.llmft.scoring.config;

import io.llmft.scoring.client.ChatRequest;
import io.llmft.scoring.service.Judged;
import io.llmft.scoring.service.ReferenceMetrics;
import io.llmft.scoring.service.ScoringState;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * This service's own types that Jackson reads and writes outside the REST signatures (job
 * documents, the progress log, the judge's requests), reflective in the native image (the
 * contract's are in service-common's {@code ContractReflection}).
 */
@RegisterForReflection(
    registerFullHierarchy = true,
    targets = {
      ScoringState.class,
      ScoringState.Score.class,
      ScoringState.Unparsed.class,
      Judged.class,
      ChatRequest.class,
      ChatRequest.Message.class,
      ChatRequest.Options.class,
      ReferenceMetrics.class,
      io.llmft.scoring.service.ComparisonResult.class,
      io.llmft.scoring.service.ComparisonResult.SourceScores.class,
      io.llmft.scoring.service.ComparisonResult.ScorePair.class,
      io.llmft.scoring.service.ComparisonResult.PairwiseResult.class,
      io.llmft.scoring.service.ComparisonResult.AgreementResult.class,
      io.llmft.scoring.compare.ScoreComparison.class,
      io.llmft.scoring.compare.PairedStats.Interval.class,
      io.llmft.scoring.compare.Agreement.class,
      io.llmft.scoring.judge.JudgeForm.Scale.class
    })
public final class NativeReflection {
  private NativeReflection() {}
}
