package io.llmft.scoring.service;

import com.fasterxml.jackson.core.type.TypeReference;
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
import io.llmft.scoring.judge.JudgeForm;
import io.llmft.scoring.judge.Judges;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Has an LLM judge score each model response 0-100, as the book's chapter 7 does. */
@Singleton
public class ScoringService extends StageService<ScoringJob, ScoringState> {
  public static final String DEFAULT_RESPONSE_KEY = "model_response";

  private static final int PROGRESS_EVERY = 10;

  private final JudgeRound judging;
  private final Judges judges;
  private final Counter unparsed;

  public ScoringService(
      StageSupport support, JudgeRound judging, Judges judges, MeterRegistry registry) {
    super(Stage.SCORING, ScoringJob.class, ScoringState.class, "scoring job", "score", support);
    this.judging = judging;
    this.judges = judges;
    this.unparsed =
        Counter.builder("llmft.judge.unparsed")
            .description("judge answers without a score in them")
            .register(registry);
  }

  /** The job's counts and average as answers arrive; its document saved every few. */
  private final class Progress implements JudgeRound.Listener {
    private final ScoringState state;
    private final ScoreTally tally;

    Progress(ScoringState state, ScoreTally tally) {
      this.state = state;
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
          progress(state, state.fraction());
        }
      }
    }

    @Override
    public void calling() {
      synchronized (state) {
        state.judgeCalls++;
      }
    }

    @Override
    public void waiting(String why) {
      synchronized (state) {
        state.waiting = why;
        if (why != null) {
          progress(state, state.fraction());
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
    boolean fromInference = job.inferenceJobId() != null;
    v.check(
        fromInference != (job.entries() != null),
        fromInference ? "entries" : "inferenceJobId",
        "give exactly one of 'inferenceJobId' and 'entries'");
    if (fromInference) {
      v.check(
          Ids.isValid(job.inferenceJobId())
              && Files.isRegularFile(responsesOf(job.inferenceJobId())),
          "inferenceJobId",
          "no responses of a succeeded inference job with this id in the artifact store");
    }
    if (job.entries() != null) {
      v.check(!job.entries().isEmpty(), "entries", "must not be empty");
      v.check(job.entries().size() <= 100_000, "entries", "at most 100000");
      String key = responseKey(job);
      for (int i = 0; i < job.entries().size(); i++) {
        JsonNode e = job.entries().get(i);
        v.check(
            e.isObject() && e.path("instruction").isTextual(),
            "entries[" + i + "].instruction",
            "must be a string");
        v.check(
            e.isObject() && e.path("output").isTextual(),
            "entries[" + i + "].output",
            "must be a string");
        v.check(
            e.isObject() && e.path(key).isTextual(),
            "entries[" + i + "]." + key,
            "must be a string");
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
    return state;
  }

  @Override
  protected Map<String, String> execute(ScoringState state, ScoringJob job, JobControl control)
      throws Exception {
    List<JsonNode> entries =
        job.entries() != null
            ? job.entries()
            : mapper.readValue(
                responsesOf(job.inferenceJobId()).toFile(), new TypeReference<List<JsonNode>>() {});
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
      ScoreTally tally = new ScoreTally(form, unparsed);
      state.total = entries.size();
      state.resumedAfter = null;
      try (ProgressLog<Judged> log = ProgressLog.open(logFile, Judged.class, mapper)) {
        List<Judged> answers =
            judging.judgeAll(questions, log, control, new Progress(state, tally));
        tally.finish(answers, state.scores, state.unparsed);
      }
    }
    store.writeJson(store.layout().scores(state.id), state);
    Files.deleteIfExists(logFile);
    return Map.of();
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
