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
import io.llmft.core.messages.InferenceJob;
import io.llmft.core.messages.PipelineContext;
import io.llmft.core.messages.Stage;
import io.llmft.core.model.Gpt2Model;
import io.llmft.core.text.PromptStyle;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Generates the model's response to every entry of a dataset split, in the book's shape. */
@Singleton
public class InferenceService extends StageService<InferenceJob, InferenceState> {
  public static final int DEFAULT_MAX_NEW_TOKENS = 256;
  public static final int DEFAULT_BATCH_SIZE = 8;
  public static final String RESPONSE_KEY = "model_response";

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
    v.positive(job.maxNewTokens(), "maxNewTokens").positive(job.batchSize(), "batchSize");
    v.throwIfInvalid();
  }

  @Override
  protected InferenceState newState(InferenceJob job) {
    InferenceState state = new InferenceState();
    state.model = ModelCache.describe(job.model());
    state.datasetId = job.datasetId();
    state.split = job.split() != null ? job.split() : "test";
    state.maxNewTokens = job.maxNewTokens() != null ? job.maxNewTokens() : DEFAULT_MAX_NEW_TOKENS;
    state.batchSize = job.batchSize() != null ? job.batchSize() : DEFAULT_BATCH_SIZE;
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
    // Batches of similar prompt length waste little on padding; the file keeps the split's order.
    List<Responder.Prompt> prompts =
        entries.stream().map(e -> Responder.prompt(style, DatasetArtifacts.toEntry(e))).toList();
    List<Integer> order =
        IntStream.range(0, entries.size())
            .boxed()
            .sorted(Comparator.comparingInt(i -> prompts.get(i).ids().length))
            .toList();
    ObjectNode[] responses = new ObjectNode[entries.size()];
    for (int from = 0; from < order.size(); from += state.batchSize) {
      List<Integer> batch = order.subList(from, Math.min(from + state.batchSize, order.size()));
      List<Responder.Answer> answers =
          Responder.answerAll(
              model, style, batch.stream().map(prompts::get).toList(), state.maxNewTokens);
      for (int k = 0; k < batch.size(); k++) {
        ObjectNode withResponse = entries.get(batch.get(k)).deepCopy();
        withResponse.put(RESPONSE_KEY, answers.get(k).response());
        responses[batch.get(k)] = withResponse;
        state.generatedTokens += answers.get(k).generatedTokens();
      }
      state.completed += batch.size();
      state.generationSeconds = (System.nanoTime() - started) / 1e9;
      progress(state, (double) state.completed / Math.max(1, state.total));
    }
    state.generationSeconds = (System.nanoTime() - started) / 1e9;
    store.writeJson(responsesFile(state.id), List.of(responses));
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
