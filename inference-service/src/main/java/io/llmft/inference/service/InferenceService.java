package io.llmft.inference.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.job.JobControl;
import io.llmft.common.job.JobTiming;
import io.llmft.common.job.StageService;
import io.llmft.common.job.StageSupport;
import io.llmft.common.rest.Validation;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.common.store.ProgressLog;
import io.llmft.contract.InferenceJob;
import io.llmft.contract.ModelRef;
import io.llmft.contract.PipelineContext;
import io.llmft.contract.Stage;
import io.llmft.models.LanguageModel;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.text.ChatTemplate;
import io.llmft.text.PromptStyle;
import io.llmft.text.Tokenizer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/** Generates the model's response to every entry of a dataset split, in the book's shape. */
@Singleton
public class InferenceService extends StageService<InferenceJob, InferenceState> {
  public static final int DEFAULT_MAX_NEW_TOKENS = 256;
  public static final int DEFAULT_BATCH_SIZE = 8;
  public static final String RESPONSE_KEY = "model_response";

  private final DatasetArtifacts datasets;
  private final ModelCache models;
  private final GenerationMeters meters;

  public InferenceService(
      StageSupport support, DatasetArtifacts datasets, ModelCache models, GenerationMeters meters) {
    super(
        Stage.INFERENCE, InferenceJob.class, InferenceState.class, "inference job", "inf", support);
    this.datasets = datasets;
    this.models = models;
    this.meters = meters;
  }

  void onStart(@Observes StartupEvent start) {
    DjlRuntime.init();
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
    if (job.datasetId() != null
        && datasets.exists(job.datasetId())
        && datasets.manifest(job.datasetId()).isChat()
        && !v.hasErrors()) {
      try {
        v.check(
            models.chatTemplate(job.model()).isPresent(),
            "model",
            "has no chat template, which a chat dataset's conversations are rendered with");
      } catch (java.io.IOException | RuntimeException e) {
        v.check(false, "model", "its chat template cannot be used: " + e.getMessage());
      }
    }
    v.check(
        job.split() == null || DatasetArtifacts.SPLITS.contains(job.split()),
        "split",
        "must be one of " + DatasetArtifacts.SPLITS);
    v.between(
            job.maxNewTokens(),
            1,
            job.model() == null
                ? GptConfig.GPT2_CONTEXT_LENGTH
                : models.contextLength(job.model()).orElse(GptConfig.GPT2_CONTEXT_LENGTH),
            "maxNewTokens")
        .between(job.batchSize(), 1, 256, "batchSize");
    v.throwIfInvalid();
  }

  @Override
  protected InferenceState newState(InferenceJob job) {
    InferenceState state = new InferenceState();
    state.model = job.model().describe();
    state.datasetId = job.datasetId();
    state.split = job.split() != null ? job.split() : "test";
    state.maxNewTokens = job.maxNewTokens() != null ? job.maxNewTokens() : DEFAULT_MAX_NEW_TOKENS;
    state.batchSize = job.batchSize() != null ? job.batchSize() : DEFAULT_BATCH_SIZE;
    return state;
  }

  /** One answered entry, as the job's progress log keeps it. */
  public record Answered(int index, String response, int generatedTokens) {}

  /**
   * Answers the split's entries in batches of similar prompt length, each batch appended to the
   * job's progress log (flushed to disk) before the next starts; a resumed job answers only the
   * entries the log lacks. The responses file keeps the split's order.
   */
  @Override
  protected Map<String, String> execute(InferenceState state, InferenceJob job, JobControl control)
      throws Exception {
    long started = System.nanoTime();
    state.device = DjlRuntime.device().toString();
    try (ModelCache.Lease lease = models.lease(job.model())) {
      return answerAll(state, job, control, lease.model(), lease.tokenizer(), started);
    }
  }

  private Map<String, String> answerAll(
      InferenceState state,
      InferenceJob job,
      JobControl control,
      LanguageModel model,
      Tokenizer tokenizer,
      long started)
      throws Exception {
    DatasetArtifacts.Manifest manifest = datasets.manifest(state.datasetId);
    ChatTemplate template =
        manifest.isChat() ? models.chatTemplate(job.model()).orElseThrow() : null;
    PromptStyle style = manifest.isChat() ? null : PromptStyle.fromId(manifest.promptStyle());
    List<JsonNode> entries = datasets.readSplit(state.datasetId, state.split);
    state.total = entries.size();
    Path logFile = store.layout().responsesProgress(state.id);
    Answered[] answered = new Answered[entries.size()];
    try (ProgressLog<Answered> log = ProgressLog.open(logFile, Answered.class, mapper)) {
      for (Answered a : log.recovered()) {
        answered[a.index()] = a;
      }
      state.completed = (int) Arrays.stream(answered).filter(Objects::nonNull).count();
      state.generatedTokens =
          Arrays.stream(answered)
              .filter(Objects::nonNull)
              .mapToLong(Answered::generatedTokens)
              .sum();
      if (state.completed > 0) {
        state.resumedAfter = state.completed;
      }
      List<Responder.Prompt> prompts =
          entries.stream()
              .map(
                  e ->
                      template != null
                          ? Responder.chatPrompt(tokenizer, template, e)
                          : Responder.prompt(tokenizer, style, DatasetArtifacts.toEntry(e)))
              .toList();
      List<Integer> order =
          IntStream.range(0, entries.size())
              .filter(i -> answered[i] == null)
              .boxed()
              .sorted(Comparator.comparingInt(i -> prompts.get(i).ids().length))
              .toList();
      for (int from = 0; from < order.size(); from += state.batchSize) {
        control.check();
        List<Integer> batch = order.subList(from, Math.min(from + state.batchSize, order.size()));
        List<Responder.Answer> answers =
            Responder.answerAll(
                model,
                tokenizer,
                style,
                batch.stream().map(prompts::get).toList(),
                state.maxNewTokens);
        List<Answered> done = new ArrayList<>(batch.size());
        for (int k = 0; k < batch.size(); k++) {
          Answered a =
              new Answered(
                  batch.get(k), answers.get(k).response(), answers.get(k).generatedTokens());
          answered[a.index()] = a;
          done.add(a);
          state.generatedTokens += a.generatedTokens();
          meters.job(a.generatedTokens());
        }
        log.appendAll(done);
        state.completed += batch.size();
        state.generationSeconds = (System.nanoTime() - started) / 1e9;
        progress(state, (double) state.completed / Math.max(1, state.total));
      }
    }
    state.generationSeconds = (System.nanoTime() - started) / 1e9;
    List<ObjectNode> responses = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      ObjectNode withResponse = entries.get(i).deepCopy();
      withResponse.put(RESPONSE_KEY, answered[i].response());
      responses.add(withResponse);
    }
    store.writeJson(responsesFile(state.id), responses);
    Files.deleteIfExists(logFile);
    Map<String, String> produced = new HashMap<>();
    produced.put(PipelineContext.INFERENCE_JOB_ID, state.id);
    produced.put(PipelineContext.DATASET_ID, state.datasetId);
    if (!(job.model() instanceof ModelRef.LocalPath)) {
      produced.put(PipelineContext.MODEL, job.model().describe());
    }
    return produced;
  }

  public Path responsesFile(String id) {
    return store.layout().responses(id);
  }

  @Override
  protected JobTiming.Throughput throughput(InferenceState state) {
    return new JobTiming.Throughput(state.generatedTokens, "tokens/s");
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
