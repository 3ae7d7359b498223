package io.llmft.scoring.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.ArtifactStore;
import io.llmft.common.Ids;
import io.llmft.common.StageService;
import io.llmft.common.StageSupport;
import io.llmft.common.Validation;
import io.llmft.core.messages.ScoringJob;
import io.llmft.core.messages.Stage;
import io.llmft.scoring.client.OllamaJudge;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Has an LLM judge score each model response 0-100, as the book's chapter 7 does. */
@Singleton
public class ScoringService extends StageService<ScoringJob, ScoringState> {
  public static final String DEFAULT_RESPONSE_KEY = "model_response";
  private static final int PROGRESS_EVERY = 10;

  private final ArtifactStore store;
  private final OllamaJudge judge;
  private final ObjectMapper mapper;
  private final String defaultJudgeUrl;
  private final String defaultJudgeModel;

  public ScoringService(
      StageSupport support,
      OllamaJudge judge,
      @ConfigProperty(name = "ollama.host") String defaultJudgeUrl,
      @ConfigProperty(name = "ollama.model") String defaultJudgeModel) {
    super(Stage.SCORING, ScoringJob.class, ScoringState.class, "scoring job", "score", support);
    this.store = support.store();
    this.judge = judge;
    this.mapper = support.mapper();
    this.defaultJudgeUrl = defaultJudgeUrl;
    this.defaultJudgeModel = defaultJudgeModel;
  }

  void onStart(@Observes StartupEvent start) {
    resumeUnfinished();
  }

  private Path responsesOf(String inferenceJobId) {
    return store.dir("responses", inferenceJobId).resolve("responses.json");
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
    v.httpUrl(job.judge() == null ? null : job.judge().url(), "judge.url");
    v.throwIfInvalid();
  }

  @Override
  protected ScoringState newState(ScoringJob job) {
    ScoringState state = new ScoringState();
    state.inferenceJobId = job.inferenceJobId();
    state.responseKey = responseKey(job);
    state.judgeUrl =
        job.judge() != null && job.judge().url() != null ? job.judge().url() : defaultJudgeUrl;
    state.judgeModel =
        job.judge() != null && job.judge().model() != null
            ? job.judge().model()
            : defaultJudgeModel;
    return state;
  }

  @Override
  protected Map<String, String> execute(ScoringState state, ScoringJob job) throws Exception {
    List<JsonNode> entries =
        job.entries() != null
            ? job.entries()
            : mapper.readValue(
                responsesOf(job.inferenceJobId()).toFile(), new TypeReference<List<JsonNode>>() {});
    state.total = entries.size();
    state.completed = 0;
    state.scores.clear();
    state.unparsed.clear();
    long sum = 0;
    for (int i = 0; i < entries.size(); i++) {
      JsonNode entry = entries.get(i);
      if (entry.path(state.responseKey).asText("").isBlank()) {
        state.scores.add(new ScoringState.Score(i, 0, ""));
      } else {
        String raw =
            judge.ask(
                state.judgeUrl, state.judgeModel, BookJudgePrompt.prompt(entry, state.responseKey));
        OptionalInt score = BookJudgePrompt.parse(raw);
        if (score.isPresent()) {
          state.scores.add(new ScoringState.Score(i, score.getAsInt(), raw));
          sum += score.getAsInt();
        } else {
          state.unparsed.add(new ScoringState.Unparsed(i, raw));
        }
      }
      state.completed++;
      state.scored = state.scores.size();
      state.averageScore = state.scored == 0 ? null : (double) sum / state.scored;
      if (state.completed % PROGRESS_EVERY == 0 || state.completed == state.total) {
        progress(state, (double) state.completed / state.total);
      }
    }
    store.writeJson(store.dir("scores", state.id).resolve("scores.json"), state);
    return Map.of();
  }

  @Override
  protected String artifact(ScoringState state) {
    return store.dir("scores", state.id).resolve("scores.json").toString();
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
    return m;
  }
}
