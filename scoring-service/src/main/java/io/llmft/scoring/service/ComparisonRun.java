package io.llmft.scoring.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.job.JobControl;
import io.llmft.common.store.ProgressLog;
import io.llmft.contract.ScoringJob.Comparison;
import io.llmft.contract.ScoringJob.Judge;
import io.llmft.scoring.compare.Agreement;
import io.llmft.scoring.compare.PairedStats;
import io.llmft.scoring.compare.ScoreComparison;
import io.llmft.scoring.judge.JudgeForm;
import io.llmft.scoring.judge.Judges;
import io.llmft.scoring.judge.PairwisePrompt;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Runs a comparison: its questions go through {@link JudgeRound} as a scoring job's do (resumed
 * from the progress log, retried, waiting while the judge is down), then the statistics are taken.
 */
@Singleton
public class ComparisonRun {
  public static final int DEFAULT_RESAMPLES = 10_000;
  public static final long DEFAULT_SEED = 123;

  private static final byte UNREAD = -1;

  private final JudgeRound judging;
  private final Judges judges;
  private final ObjectMapper mapper;

  public ComparisonRun(JudgeRound judging, Judges judges, ObjectMapper mapper) {
    this.judging = judging;
    this.judges = judges;
    this.mapper = mapper;
  }

  /** The sources being compared: their names, entries (aligned) and response keys. */
  public record Sides(List<String> names, List<List<JsonNode>> entries, List<String> keys) {
    int size() {
      return names.size();
    }

    int entryCount() {
      return entries.get(0).size();
    }

    String response(int source, int entry) {
      return entries.get(source).get(entry).path(keys.get(source)).asText("");
    }
  }

  public ComparisonResult run(
      ScoringState state,
      Comparison comparison,
      Judge job,
      Sides sides,
      Path logFile,
      JobControl control,
      Runnable progress)
      throws Exception {
    int resamples =
        comparison.bootstrapResamples() != null
            ? comparison.bootstrapResamples()
            : DEFAULT_RESAMPLES;
    long seed = comparison.seed() != null ? comparison.seed() : DEFAULT_SEED;
    Judge judge = judges.resolve(job);
    if (Comparison.PAIRWISE.equals(comparison.mode())) {
      state.total = pairCount(sides.size()) * sides.entryCount() * 2;
      return pairwise(state, judge, sides, logFile, control, progress, resamples, seed);
    }
    Judge second =
        comparison.secondJudge() == null ? null : judges.resolve(comparison.secondJudge());
    int questions = sides.size() * sides.entryCount();
    state.total = questions * (second == null ? 1 : 2);
    List<Integer[]> first = scores(state, judge, sides, logFile, control, progress);
    JudgeForm form = JudgeForm.of(judge);
    List<ComparisonResult.SourceScores> sources = new ArrayList<>();
    for (int s = 0; s < sides.size(); s++) {
      sources.add(sourceScores(sides, s, first.get(s)));
    }
    List<ComparisonResult.ScorePair> pairs = new ArrayList<>();
    for (int s = 1; s < sides.size(); s++) {
      pairs.add(
          new ComparisonResult.ScorePair(
              sides.names().get(0),
              sides.names().get(s),
              paired(first.get(0), first.get(s), resamples, seed)));
    }
    ComparisonResult.AgreementResult agreement = null;
    if (second != null) {
      Path secondLog = logFile.resolveSibling("second-judge-" + logFile.getFileName());
      List<Integer[]> again = scores(state, second, sides, secondLog, control, progress);
      agreement = agreement(judge, second, first, again);
      Files.deleteIfExists(secondLog);
    }
    return new ComparisonResult(Comparison.SCORES, form.scale(), sources, pairs, null, agreement);
  }

  private static int pairCount(int sources) {
    return sources * (sources - 1) / 2;
  }

  /** Each source's score per entry (null where the answer had none), asked of one judge. */
  private List<Integer[]> scores(
      ScoringState state,
      Judge judge,
      Sides sides,
      Path logFile,
      JobControl control,
      Runnable progress)
      throws Exception {
    JudgeForm form = JudgeForm.of(judge);
    int n = sides.entryCount();
    var questions =
        new JudgeRound.Questions(
            state.id,
            judge,
            form.schema(),
            sides.size() * n,
            q -> {
              int s = q / n;
              JsonNode entry = sides.entries().get(s).get(q % n);
              String key = sides.keys().get(s);
              return entry.path(key).asText("").isBlank() ? null : form.prompt(entry, key);
            });
    List<Integer[]> scores = new ArrayList<>();
    for (int s = 0; s < sides.size(); s++) {
      scores.add(new Integer[n]);
    }
    try (ProgressLog<Judged> log = ProgressLog.open(logFile, Judged.class, mapper)) {
      judging.judgeAll(
          questions,
          log,
          control,
          new Counting(
              state,
              progress,
              j -> {
                OptionalInt score = j.asked() ? form.read(j.raw()) : OptionalInt.of(form.lowest());
                scores.get(j.index() / n)[j.index() % n] =
                    score.isPresent() ? score.getAsInt() : null;
              }));
    }
    return scores;
  }

  private static ComparisonResult.SourceScores sourceScores(Sides sides, int s, Integer[] row) {
    int scored = 0;
    long sum = 0;
    for (Integer v : row) {
      if (v != null) {
        scored++;
        sum += v;
      }
    }
    return new ComparisonResult.SourceScores(
        sides.names().get(s),
        scored,
        scored == 0 ? null : (double) sum / scored,
        ReferenceMetrics.of(sides.entries().get(s), sides.keys().get(s)),
        java.util.Arrays.asList(row));
  }

  /** The paired statistics over the entries both sources have a score for. */
  private static ScoreComparison paired(Integer[] a, Integer[] b, int resamples, long seed) {
    List<double[]> both = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      if (a[i] != null && b[i] != null) {
        both.add(new double[] {a[i], b[i]});
      }
    }
    double[] x = both.stream().mapToDouble(p -> p[0]).toArray();
    double[] y = both.stream().mapToDouble(p -> p[1]).toArray();
    return ScoreComparison.of(x, y, resamples, seed);
  }

  private static ComparisonResult.AgreementResult agreement(
      Judge first, Judge second, List<Integer[]> a, List<Integer[]> b) {
    JudgeForm.Scale scaleA = JudgeForm.of(first).scale();
    JudgeForm.Scale scaleB = JudgeForm.of(second).scale();
    List<double[]> both = new ArrayList<>();
    for (int s = 0; s < a.size(); s++) {
      for (int i = 0; i < a.get(s).length; i++) {
        Integer x = a.get(s)[i];
        Integer y = b.get(s)[i];
        if (x != null && y != null) {
          both.add(new double[] {toHundred(x, scaleA), toHundred(y, scaleB)});
        }
      }
    }
    return new ComparisonResult.AgreementResult(
        first.model() + " at " + first.url() + " (" + first.prompt() + ")",
        second.model() + " at " + second.url() + " (" + second.prompt() + ")",
        scaleB,
        Agreement.of(
            both.stream().mapToDouble(p -> p[0]).toArray(),
            both.stream().mapToDouble(p -> p[1]).toArray()));
  }

  private static double toHundred(int score, JudgeForm.Scale scale) {
    return scale.equals(JudgeForm.BOOK_SCALE)
        ? score
        : 100.0 * (score - scale.min()) / (scale.max() - scale.min());
  }

  /**
   * Every pair of sources, every entry, asked in both orders: question {@code ((pair · n) + entry)
   * · 2 + order}, order 0 showing the pair's first source as A.
   */
  private ComparisonResult pairwise(
      ScoringState state,
      Judge judge,
      Sides sides,
      Path logFile,
      JobControl control,
      Runnable progress,
      int resamples,
      long seed)
      throws Exception {
    boolean json = Judge.JSON.equals(judge.output());
    int n = sides.entryCount();
    List<int[]> pairs = new ArrayList<>();
    for (int a = 0; a < sides.size(); a++) {
      for (int b = a + 1; b < sides.size(); b++) {
        pairs.add(new int[] {a, b});
      }
    }
    var questions =
        new JudgeRound.Questions(
            state.id,
            judge,
            json ? PairwisePrompt.SCHEMA : null,
            pairs.size() * n * 2,
            q -> {
              int order = q % 2;
              int entry = (q / 2) % n;
              int[] pair = pairs.get(q / 2 / n);
              int shownFirst = order == 0 ? pair[0] : pair[1];
              int shownSecond = order == 0 ? pair[1] : pair[0];
              return PairwisePrompt.prompt(
                  sides.entries().get(0).get(entry),
                  sides.response(shownFirst, entry),
                  sides.response(shownSecond, entry),
                  json);
            });
    // each question's choice: 0 the source shown as A, 1 the one shown as B, UNREAD without one
    byte[] choices = new byte[questions.size()];
    try (ProgressLog<Judged> log = ProgressLog.open(logFile, Judged.class, mapper)) {
      judging.judgeAll(
          questions,
          log,
          control,
          new Counting(
              state,
              progress,
              j ->
                  choices[j.index()] =
                      PairwisePrompt.read(j.raw(), json).map(Integer::byteValue).orElse(UNREAD)));
    }
    List<ComparisonResult.PairwiseResult> results = new ArrayList<>();
    for (int p = 0; p < pairs.size(); p++) {
      int wins = 0;
      int ties = 0;
      int losses = 0;
      int unparsed = 0;
      int firstPosition = 0;
      List<Double> outcomes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int q = (p * n + i) * 2;
        int inOrder = choices[q];
        int swapped = choices[q + 1];
        if (inOrder == UNREAD || swapped == UNREAD) {
          unparsed++;
          continue;
        }
        firstPosition += (inOrder == 0 ? 1 : 0) + (swapped == 0 ? 1 : 0);
        // which source each answer chose: 0 the pair's first, 1 its second
        int chosen = inOrder;
        int chosenSwapped = 1 - swapped;
        if (chosen != chosenSwapped) {
          ties++;
          outcomes.add(0.5);
        } else if (chosen == 0) {
          wins++;
          outcomes.add(1.0);
        } else {
          losses++;
          outcomes.add(0.0);
        }
      }
      double[] values = outcomes.stream().mapToDouble(Double::doubleValue).toArray();
      int valid = values.length;
      results.add(
          new ComparisonResult.PairwiseResult(
              sides.names().get(pairs.get(p)[0]),
              sides.names().get(pairs.get(p)[1]),
              valid,
              wins,
              ties,
              losses,
              unparsed,
              valid == 0 ? Double.NaN : PairedStats.mean(values),
              PairedStats.bootstrapMean(values, resamples, seed, 0.95),
              valid == 0 ? Double.NaN : firstPosition / (2.0 * valid)));
    }
    return new ComparisonResult(Comparison.PAIRWISE, null, null, null, results, null);
  }

  /** Counts the questions answered, each handed to {@code keep} for what the comparison needs. */
  private static final class Counting extends RoundProgress {
    private final Consumer<Judged> keep;

    Counting(ScoringState state, Runnable progress, Consumer<Judged> keep) {
      super(state, progress);
      this.keep = keep;
    }

    @Override
    public void answered(Judged judged, boolean fresh) {
      keep.accept(judged);
      synchronized (state) {
        state.completed++;
        if (fresh && state.completed % 10 == 0) {
          progress.run();
        }
      }
    }
  }
}
