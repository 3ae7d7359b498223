package io.llmft.scoring.service;

import io.llmft.scoring.judge.JudgeForm;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import java.util.OptionalInt;

/** The running counts of a round's answers, each read once by its judge's form. */
final class ScoreTally {
  private final JudgeForm form;
  private final Counter unparsedAnswers;
  private int completed;
  private int scored;
  private long sum;

  ScoreTally(JudgeForm form, Counter unparsedAnswers) {
    this.form = form;
    this.unparsedAnswers = unparsedAnswers;
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
    } else if (fresh) {
      unparsedAnswers.increment(); // counted once: when the answer came
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

  /** Every answer in order, as a score or as an unparsed answer. */
  void finish(
      List<Judged> answers, List<ScoringState.Score> scores, List<ScoringState.Unparsed> unparsed) {
    scores.clear();
    unparsed.clear();
    for (Judged j : answers) {
      OptionalInt score = score(j);
      if (score.isPresent()) {
        scores.add(new ScoringState.Score(j.index(), score.getAsInt(), j.raw()));
      } else {
        unparsed.add(new ScoringState.Unparsed(j.index(), j.raw()));
      }
    }
  }
}
