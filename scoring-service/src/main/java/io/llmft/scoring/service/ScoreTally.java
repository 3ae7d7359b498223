package io.llmft.scoring.service;

import io.llmft.scoring.judge.JudgeForm;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import java.util.OptionalInt;

/**
 * The running counts of a round's answers, each read once by its judge's form, and each entry's
 * score or unparsed answer, kept by index as the answers come in whatever order.
 */
final class ScoreTally {
  private final JudgeForm form;
  private final Counter unparsedAnswers;
  private final Object[] results;
  private int completed;
  private int scored;
  private long sum;

  ScoreTally(JudgeForm form, Counter unparsedAnswers, int entries) {
    this.form = form;
    this.unparsedAnswers = unparsedAnswers;
    this.results = new Object[entries];
  }

  /** The score of an answer: the bottom of the scale where nothing was asked. */
  OptionalInt score(Judged j) {
    return j.asked() ? form.read(j.raw()) : OptionalInt.of(form.lowest());
  }

  void add(Judged j, boolean fresh) {
    completed++;
    OptionalInt score = score(j);
    if (score.isPresent()) {
      scored++;
      sum += score.getAsInt();
      results[j.index()] = new ScoringState.Score(j.index(), score.getAsInt(), j.raw());
    } else {
      if (fresh) {
        unparsedAnswers.increment(); // counted once: when the answer came
      }
      results[j.index()] = new ScoringState.Unparsed(j.index(), j.raw());
    }
  }

  int completed() {
    return completed;
  }

  int scored() {
    return scored;
  }

  Double average() {
    return scored == 0 ? null : (double) sum / scored;
  }

  /** Every answer in entry order, as a score or as an unparsed answer. */
  void finish(List<ScoringState.Score> scores, List<ScoringState.Unparsed> unparsed) {
    scores.clear();
    unparsed.clear();
    for (Object result : results) {
      if (result instanceof ScoringState.Score score) {
        scores.add(score);
      } else if (result instanceof ScoringState.Unparsed answer) {
        unparsed.add(answer);
      }
    }
  }
}
