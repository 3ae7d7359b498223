package io.llmft.inference.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.ArtifactStore;
import io.llmft.common.DatasetArtifacts;
import io.llmft.common.StageService;
import io.llmft.common.StageSupport;
import io.llmft.common.Validation;
import io.llmft.core.DjlRuntime;
import io.llmft.core.generate.Sampler;
import io.llmft.core.messages.InferenceJob;
import io.llmft.core.messages.PipelineContext;
import io.llmft.core.messages.Stage;
import io.llmft.core.model.Gpt2Model;
import io.llmft.core.text.PromptStyle;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Generates the model's response to every entry of a dataset split, in the book's shape. */
@Singleton
public class InferenceService extends StageService<InferenceJob, InferenceState> {
  public static final int DEFAULT_MAX_NEW_TOKENS = 256;
  public static final String RESPONSE_KEY = "model_response";
  private static final int PROGRESS_EVERY = 10;

  private final ArtifactStore store;
  private final DatasetArtifacts datasets;
  private final ModelCache models;
  private final ObjectMapper mapper;

  public InferenceService(StageSupport support, DatasetArtifacts datasets, ModelCache models) {
    super(
        Stage.INFERENCE, InferenceJob.class, InferenceState.class, "inference job", "inf", support);
    this.store = support.store();
    this.datasets = datasets;
    this.models = models;
    this.mapper = support.mapper();
  }

  void onStart(@Observes StartupEvent start) {
    DjlRuntime.init();
    resumeUnfinished();
  }

  @Override
  protected void validate(InferenceJob job) {
    Validation v = new Validation();
    v.id(job.jobId(), "jobId");
    models.validate(job.model(), "model", v);
    v.check(job.datasetId() != null, "datasetId", "is required");
    v.check(
        job.datasetId() == null || datasets.exists(job.datasetId()),
        "datasetId",
        "no prepared dataset with this id in the artifact store");
    v.check(
        job.split() == null || DatasetArtifacts.SPLITS.contains(job.split()),
        "split",
        "must be one of " + DatasetArtifacts.SPLITS);
    v.positive(job.maxNewTokens(), "maxNewTokens");
    v.throwIfInvalid();
  }

  @Override
  protected InferenceState newState(InferenceJob job) {
    InferenceState state = new InferenceState();
    state.model = ModelCache.describe(job.model());
    state.datasetId = job.datasetId();
    state.split = job.split() != null ? job.split() : "test";
    state.maxNewTokens = job.maxNewTokens() != null ? job.maxNewTokens() : DEFAULT_MAX_NEW_TOKENS;
    return state;
  }

  @Override
  protected Map<String, String> execute(InferenceState state, InferenceJob job) throws Exception {
    long started = System.nanoTime();
    state.device = DjlRuntime.device().toString();
    Gpt2Model model = models.get(job.model());
    PromptStyle style = PromptStyle.fromId(datasets.manifest(state.datasetId).promptStyle());
    List<JsonNode> entries = datasets.readSplit(state.datasetId, state.split);
    state.total = entries.size();
    state.completed = 0;
    state.generatedTokens = 0;
    List<JsonNode> responses = new ArrayList<>(entries.size());
    for (JsonNode entry : entries) {
      Responder.Answer answer =
          Responder.answer(
              model, style, DatasetArtifacts.toEntry(entry), state.maxNewTokens, Sampler.greedy());
      ObjectNode withResponse = entry.deepCopy();
      withResponse.put(RESPONSE_KEY, answer.response());
      responses.add(withResponse);
      state.completed++;
      state.generatedTokens += answer.generatedTokens();
      if (state.completed % PROGRESS_EVERY == 0 || state.completed == state.total) {
        state.generationSeconds = (System.nanoTime() - started) / 1e9;
        progress(state, (double) state.completed / Math.max(1, state.total));
      }
    }
    state.generationSeconds = (System.nanoTime() - started) / 1e9;
    store.writeJson(responsesFile(state.id), responses);
    String modelId = job.model().isTextual() ? job.model().asText() : null;
    var produced = new java.util.HashMap<String, String>();
    produced.put(PipelineContext.INFERENCE_JOB_ID, state.id);
    produced.put(PipelineContext.DATASET_ID, state.datasetId);
    if (modelId != null) {
      produced.put(PipelineContext.MODEL, modelId);
    }
    return produced;
  }

  public Path responsesFile(String id) {
    return store.dir("responses", id).resolve("responses.json");
  }

  @Override
  protected String artifact(InferenceState state) {
    return responsesFile(state.id).toString();
  }

  @Override
  protected JsonNode metrics(InferenceState state) {
    ObjectNode m = mapper.createObjectNode();
    m.put("completed", state.completed);
    m.put("total", state.total);
    m.put("generatedTokens", state.generatedTokens);
    return m;
  }
}
