package io.llmft.scoring.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.job.JobControl;
import io.llmft.common.job.JobTiming;
import io.llmft.common.job.StageService;
import io.llmft.common.job.StageSupport;
import io.llmft.common.rest.Validation;
import io.llmft.common.store.Ids;
import io.llmft.common.store.ProgressLog;
import io.llmft.contract.ScoringJob;
import io.llmft.contract.ScoringJob.Judge;
import io.llmft.contract.Stage;
import io.llmft.scoring.config.JudgeConfig;
import io.llmft.scoring.judge.JudgeForm;
import io.llmft.scoring.judge.Judges;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Has an LLM judge score each model response 0-100, as the book's chapter 7 does. */
@Singleton
public class ScoringService extends StageService<ScoringJob, ScoringState> {
  public static final String DEFAULT_RESPONSE_KEY = "model_response";

  private static final int PROGRESS_EVERY = 10;

  private final JudgeRound judging;
  private final ComparisonRun comparisons;
  private final Judges judges;
  private final JudgeConfig config;
  private final Counter unparsed;

  public ScoringService(
      StageSupport support,
      JudgeRound judging,
      ComparisonRun comparisons,
      Judges judges,
      JudgeConfig config,
      MeterRegistry registry) {
    super(Stage.SCORING, ScoringJob.class, ScoringState.class, "scoring job", "score", support);
    this.judging = judging;
    this.comparisons = comparisons;
    this.judges = judges;
    this.config = config;
    this.unparsed =
        Counter.builder("llmft.judge.unparsed")
            .description("judge answers without a score in them")
            .register(registry);
  }

  /** The job's counts and average as answers arrive; its document saved every few. */
  private final class Progress extends RoundProgress {
    private final ScoreTally tally;

    Progress(ScoringState state, ScoreTally tally) {
      super(state, () -> progress(state, state.fraction()));
      this.tally = tally;
    }

    @Override
    public void answered(Judged judged, boolean fresh) {
      synchronized (state) {
        tally.add(judged, fresh);
        if (!fresh) {
          state.resumedAfter = tally.completed();
        }
        state.completed = tally.completed();
        state.scored = tally.scored();
        state.averageScore = tally.average();
        if (fresh && (state.completed % PROGRESS_EVERY == 0 || state.completed == state.total)) {
          progress.run();
        }
      }
    }
  }

  private Path responsesOf(String inferenceJobId) {
    return store.layout().responses(inferenceJobId);
  }

  private static String responseKey(ScoringJob job) {
    return job.responseKey() != null ? job.responseKey() : DEFAULT_RESPONSE_KEY;
  }

  @Override
  protected void validate(ScoringJob job) {
    Validation v = new Validation();
    v.id(job.jobId(), "jobId");
    if (job.comparison() != null) {
      validateComparison(job, v);
    } else {
      boolean fromInference = job.inferenceJobId() != null;
      v.check(
          fromInference != (job.entries() != null),
          fromInference ? "entries" : "inferenceJobId",
          "give exactly one of 'inferenceJobId' and 'entries'");
      if (fromInference) {
        v.check(
            hasResponses(job.inferenceJobId()),
            "inferenceJobId",
            "no responses of a succeeded inference job with this id in the artifact store");
        if (hasResponses(job.inferenceJobId())) {
          countResponses(job.inferenceJobId(), "inferenceJobId", v);
        }
      }
      if (job.entries() != null) {
        checkEntries(job.entries(), List.of(responseKey(job)), v);
      }
    }
    judges.validate(job.judge(), "judge", v);
    v.maxLength(job.responseKey(), 100, "responseKey");
    v.check(
        !Boolean.TRUE.equals(job.referenceOnly()) || job.judge() == null,
        "judge",
        "give no judge with referenceOnly: such a job calls none");
    v.throwIfInvalid();
  }

  private boolean hasResponses(String inferenceJobId) {
    return Ids.isValid(inferenceJobId) && Files.isRegularFile(responsesOf(inferenceJobId));
  }

  /**
   * The number of entries of a source's responses, each skipped unread, or -1 where they are not an
   * array of at most {@code judge.max-entries} (said under {@code field}).
   */
  private int countResponses(String inferenceJobId, String field, Validation v) {
    try {
      return ResponseEntries.count(mapper, responsesOf(inferenceJobId), config.maxEntries());
    } catch (ResponseEntries.Unfit e) {
      v.check(false, field, "its responses " + e.getMessage());
      return -1;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void checkEntries(List<JsonNode> entries, List<String> keys, Validation v) {
    v.check(!entries.isEmpty(), "entries", "must not be empty");
    v.check(
        entries.size() <= config.maxEntries(),
        "entries",
        "at most " + config.maxEntries() + " (judge.max-entries)");
    for (int i = 0; i < entries.size(); i++) {
      JsonNode e = entries.get(i);
      if (e.isObject() && e.has("messages")) {
        v.check(
            e.get("messages").isArray()
                && io.llmft.text.ChatRows.lastUserTurn(e.get("messages")) >= 0,
            "entries[" + i + "].messages",
            "must be a conversation with a user turn");
      } else {
        for (String field : List.of("instruction", "output")) {
          v.check(
              e.isObject() && e.path(field).isTextual(),
              "entries[" + i + "]." + field,
              "must be a string");
        }
      }
      for (String key : keys) {
        v.check(
            e.isObject() && e.path(key).isTextual(),
            "entries[" + i + "]." + key,
            "must be a string");
      }
    }
  }

  private void validateComparison(ScoringJob job, Validation v) {
    ScoringJob.Comparison c = job.comparison();
    v.check(
        c.mode() == null
            || ScoringJob.Comparison.SCORES.equals(c.mode())
            || ScoringJob.Comparison.PAIRWISE.equals(c.mode()),
        "comparison.mode",
        "one of scores, pairwise");
    v.check(
        job.inferenceJobId() == null,
        "inferenceJobId",
        "a comparison names its inference jobs in comparison.sources");
    v.check(job.responseKey() == null, "responseKey", "a comparison's keys are in its sources");
    v.check(
        !Boolean.TRUE.equals(job.referenceOnly()), "referenceOnly", "a comparison asks a judge");
    List<ScoringJob.Source> sources = c.sources() == null ? List.of() : c.sources();
    v.check(
        sources.size() >= 2 && sources.size() <= 8,
        "comparison.sources",
        "give from 2 to 8 sources to compare");
    v.between(c.bootstrapResamples(), 100, 100_000, "comparison.bootstrapResamples");
    boolean pairwise = ScoringJob.Comparison.PAIRWISE.equals(c.mode());
    if (pairwise) {
      v.check(c.secondJudge() == null, "comparison.secondJudge", "applies to mode scores");
      v.check(
          job.judge() == null || job.judge().schema() == null,
          "judge.schema",
          "the pairwise mode asks for its own answer, {\"better\": \"A\"}");
      v.check(
          job.judge() == null
              || job.judge().prompt() == null
              || ScoringJob.Judge.BOOK.equals(job.judge().prompt()),
          "judge.prompt",
          "the pairwise mode has its own prompt");
    }
    judges.validate(c.secondJudge(), "comparison.secondJudge", v);
    boolean inline = job.entries() != null;
    List<String> keys = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    String firstSource = null;
    int firstCount = -1;
    for (int i = 0; i < sources.size(); i++) {
      ScoringJob.Source s = sources.get(i);
      String field = "comparison.sources[" + i + "]";
      v.maxLength(s.name(), 100, field + ".name");
      v.check(names.add(nameOf(s)), field + ".name", "names another source already");
      if (inline) {
        v.check(
            s.inferenceJobId() == null,
            field + ".inferenceJobId",
            "give a responseKey of the entries instead");
        v.check(
            s.responseKey() != null,
            field + ".responseKey",
            "the entries' key of this source's responses");
        v.maxLength(s.responseKey(), 100, field + ".responseKey");
        if (s.responseKey() != null) {
          keys.add(s.responseKey());
        }
        continue;
      }
      if (!hasResponses(s.inferenceJobId())) {
        v.check(
            false,
            field + ".inferenceJobId",
            "no responses of a succeeded inference job with this id in the artifact store");
        continue;
      }
      int count = countResponses(s.inferenceJobId(), field + ".inferenceJobId", v);
      if (count < 0) {
        continue;
      }
      if (firstSource == null) {
        firstSource = s.inferenceJobId();
        firstCount = count;
      } else if (count != firstCount) {
        v.check(
            false,
            field + ".inferenceJobId",
            "has " + count + " entries where the first source has " + firstCount);
      } else {
        int e = firstDifference(firstSource, s.inferenceJobId());
        v.check(
            e < 0,
            field + ".inferenceJobId",
            "entry "
                + e
                + " is not the first source's entry "
                + e
                + ": compare responses to the same entries");
      }
    }
    if (inline) {
      checkEntries(job.entries(), keys, v);
    }
  }

  /**
   * The first entry where two sources of as many entries differ, or -1: read side by side, an entry
   * of each at a time.
   */
  private int firstDifference(String first, String other) {
    try (ResponseEntries a = ResponseEntries.open(mapper, responsesOf(first), config.maxEntries());
        ResponseEntries b = ResponseEntries.open(mapper, responsesOf(other), config.maxEntries())) {
      int e = 0;
      for (JsonNode x = a.next(), y = b.next();
          x != null && y != null;
          x = a.next(), y = b.next()) {
        if (!sameEntry(x, y)) {
          return e;
        }
        e++;
      }
      return -1;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean sameEntry(JsonNode a, JsonNode b) {
    if (a.has("messages") || b.has("messages")) {
      return a.path("messages").equals(b.path("messages"));
    }
    for (String field : List.of("instruction", "input", "output")) {
      if (!a.path(field).asText("").equals(b.path(field).asText(""))) {
        return false;
      }
    }
    return true;
  }

  private static String nameOf(ScoringJob.Source s) {
    return s.name() != null
        ? s.name()
        : s.inferenceJobId() != null ? s.inferenceJobId() : s.responseKey();
  }

  /** A source's entries, at most {@code judge.max-entries} of them. */
  private List<JsonNode> readResponses(String inferenceJobId) {
    try {
      return ResponseEntries.readAll(mapper, responsesOf(inferenceJobId), config.maxEntries());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  protected ScoringState newState(ScoringJob job) {
    ScoringState state = new ScoringState();
    state.inferenceJobId = job.inferenceJobId();
    state.responseKey = responseKey(job);
    if (Boolean.TRUE.equals(job.referenceOnly())) {
      state.referenceOnly = true;
      return state;
    }
    state.judge = judges.resolve(job.judge());
    state.judgeUrl = state.judge.url();
    state.judgeModel = state.judge.model();
    state.scale = JudgeForm.of(state.judge).scale();
    if (job.comparison() != null) {
      state.responseKey = null;
      state.mode =
          job.comparison().mode() != null ? job.comparison().mode() : ScoringJob.Comparison.SCORES;
    }
    return state;
  }

  @Override
  protected Map<String, String> execute(ScoringState state, ScoringJob job, JobControl control)
      throws Exception {
    if (job.comparison() != null) {
      Path logFile = store.layout().scoresProgress(state.id);
      state.completed = 0;
      state.comparison =
          comparisons.run(
              state,
              job.comparison(),
              job.judge(),
              sides(job),
              logFile,
              control,
              () -> progress(state, state.fraction()));
      store.writeJson(store.layout().scores(state.id), state);
      Files.deleteIfExists(logFile);
      return Map.of();
    }
    List<JsonNode> entries =
        job.entries() != null ? job.entries() : readResponses(job.inferenceJobId());
    state.reference = ReferenceMetrics.of(entries, state.responseKey);
    Path logFile = store.layout().scoresProgress(state.id);
    if (state.referenceOnly) {
      state.total = entries.size();
      state.completed = entries.size();
    } else {
      Judge judge = judges.resolve(job.judge());
      JudgeForm form = JudgeForm.of(judge);
      String key = state.responseKey;
      var questions =
          new JudgeRound.Questions(
              state.id,
              judge,
              form.schema(),
              entries.size(),
              i -> {
                JsonNode entry = entries.get(i);
                return entry.path(key).asText("").isBlank() ? null : form.prompt(entry, key);
              });
      ScoreTally tally = new ScoreTally(form, unparsed, entries.size());
      state.total = entries.size();
      state.resumedAfter = null;
      try (ProgressLog<Judged> log = ProgressLog.open(logFile, Judged.class, mapper)) {
        judging.judgeAll(questions, log, control, new Progress(state, tally));
        tally.finish(state.scores, state.unparsed);
      }
    }
    store.writeJson(store.layout().scores(state.id), state);
    Files.deleteIfExists(logFile);
    return Map.of();
  }

  private ComparisonRun.Sides sides(ScoringJob job) {
    List<String> names = new ArrayList<>();
    List<List<JsonNode>> entries = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (ScoringJob.Source s : job.comparison().sources()) {
      names.add(nameOf(s));
      entries.add(s.inferenceJobId() != null ? readResponses(s.inferenceJobId()) : job.entries());
      keys.add(s.responseKey() != null ? s.responseKey() : DEFAULT_RESPONSE_KEY);
    }
    return new ComparisonRun.Sides(names, entries, keys);
  }

  @Override
  protected JobTiming.Throughput throughput(ScoringState state) {
    return new JobTiming.Throughput(state.completed, "entries/s");
  }

  @Override
  protected String artifact(ScoringState state) {
    return store.layout().scores(state.id).toString();
  }

  @Override
  protected JsonNode metrics(ScoringState state) {
    ObjectNode m = mapper.createObjectNode();
    m.put("completed", state.completed);
    m.put("total", state.total);
    m.put("scored", state.scored);
    m.put("unparsed", state.unparsed.size());
    if (state.averageScore != null) {
      m.put("averageScore", state.averageScore);
    }
    if (state.reference != null) {
      m.set("reference", mapper.valueToTree(state.reference));
    }
    if (state.waiting != null) {
      m.put("waiting", state.waiting);
    }
    return m;
  }
}
