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
import io.llmft.contract.Stage;
import io.llmft.scoring.client.JudgeUrls;
import io.llmft.scoring.config.OllamaConfig;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Has an LLM judge score each model response 0-100, as the book's chapter 7 does. */
@Singleton
public class ScoringService extends StageService<ScoringJob, ScoringState> {
  public static final String DEFAULT_RESPONSE_KEY = "model_response";

  private final JudgeRound judging;
  private final OllamaConfig ollama;

  private final JudgeUrls judges;

  public ScoringService(
      StageSupport support, JudgeRound judging, OllamaConfig ollama, JudgeUrls judges) {
    super(Stage.SCORING, ScoringJob.class, ScoringState.class, "scoring job", "score", support);
    this.judging = judging;
    this.ollama = ollama;
    this.judges = judges;
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
    String judgeUrl = job.judge() == null ? null : job.judge().url();
    v.maxLength(judgeUrl, 2048, "judge.url");
    v.check(
        judgeUrl == null || judges.admits(judgeUrl),
        "judge.url",
        "is not a judge this service may call (JUDGE_ALLOWED_URLS)");
    v.maxLength(job.judge() == null ? null : job.judge().model(), 200, "judge.model");
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
    state.judgeUrl =
        job.judge() != null && job.judge().url() != null ? job.judge().url() : ollama.host();
    state.judgeModel =
        job.judge() != null && job.judge().model() != null ? job.judge().model() : ollama.model();
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
      try (ProgressLog<Judged> log = ProgressLog.open(logFile, Judged.class, mapper)) {
        judging.judgeAll(state, entries, log, control, () -> progress(state, state.fraction()));
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
