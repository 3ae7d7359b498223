package io.llmft.scoring.service;

import io.llmft.scoring.compare.Agreement;
import io.llmft.scoring.compare.PairedStats;
import io.llmft.scoring.compare.ScoreComparison;
import io.llmft.scoring.judge.JudgeForm;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * What a comparison found: per source, per pair against the first source, and the judges'
 * agreement.
 */
@RegisterForReflection
public record ComparisonResult(
    String mode,
    JudgeForm.Scale scale,
    List<SourceScores> sources,
    List<ScorePair> pairs,
    List<PairwiseResult> pairwise,
    AgreementResult agreement) {

  /** One source's scores (mode scores): {@code scores[i]} null where the answer was unparsed. */
  @RegisterForReflection
  public record SourceScores(
      String name,
      int scored,
      Double averageScore,
      ReferenceMetrics reference,
      List<Integer> scores) {}

  /** Source {@code a} against source {@code b} on the entries both were scored on. */
  @RegisterForReflection
  public record ScorePair(String a, String b, ScoreComparison comparison) {}

  /**
   * Source {@code a} against {@code b} as the judge chose between them, each entry asked in both
   * orders: a win when both orders pick the same source, a tie when the choice follows the
   * position; {@code winRate} counts a tie as half a win; {@code firstPositionRate} is how often an
   * answer named the response shown first.
   */
  @RegisterForReflection
  public record PairwiseResult(
      String a,
      String b,
      int n,
      int wins,
      int ties,
      int losses,
      int unparsed,
      double winRate,
      PairedStats.Interval interval,
      double firstPositionRate) {}

  /** The second judge against the first over every response both scored (all sources pooled). */
  @RegisterForReflection
  public record AgreementResult(
      String firstJudge, String secondJudge, JudgeForm.Scale secondScale, Agreement agreement) {}
}
