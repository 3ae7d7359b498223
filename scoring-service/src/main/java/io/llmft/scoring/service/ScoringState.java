package io.llmft.scoring.service;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.llmft.common.job.JobState;
import io.llmft.contract.ScoringJob;
import io.llmft.scoring.judge.JudgeForm;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.ArrayList;
import java.util.List;

/** The scoring job document served by {@code GET /scoring-jobs/{id}}. */
@RegisterForReflection
public class ScoringState extends JobState {
  public String inferenceJobId;
  public String responseKey;

  /** Only the reference metrics: no judge is called (judgeUrl and judgeModel are null). */
  public boolean referenceOnly;

  public String judgeUrl;
  public String judgeModel;

  /** The judge with the service's defaults filled in: its API, output form and prompt. */
  public ScoringJob.Judge judge;

  /** The scale of {@code scores} and {@code averageScore}: 0-100 (book), 1-5 (rubric). */
  public JudgeForm.Scale scale;

  public int total;
  public int completed;
  public int scored;
  public Double averageScore;

  /** A comparison's mode (scores, pairwise); null for a scoring job of one source. */
  public String mode;

  /** A comparison's result, once it succeeded. */
  public ComparisonResult comparison;

  /** ROUGE-L F1 and exact match against the expected outputs: reference metrics, not the judge. */
  public ReferenceMetrics reference;

  /** Judge calls made by this job, retries included (a resumed job counts on). */
  public long judgeCalls;

  /** Entries a previous run had judged when this run resumed the job. */
  public Integer resumedAfter;

  public List<Score> scores = new ArrayList<>();
  public List<Unparsed> unparsed = new ArrayList<>();

  /** {@code raw} is the judge's answer; empty for an empty response, scored 0 without asking. */
  @RegisterForReflection
  public record Score(int index, int score, String raw) {}

  /** An answer without a score on the judge's scale in it. */
  @RegisterForReflection
  public record Unparsed(int index, String raw) {}

  @JsonIgnore
  double fraction() {
    return total == 0 ? 1 : (double) completed / total;
  }
}
