package io.llmft.trainer.service;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.ArtifactStore;
import io.llmft.common.DatasetArtifacts;
import io.llmft.common.Ids;
import io.llmft.common.JobEventPublisher;
import io.llmft.common.JobStore;
import io.llmft.common.JobWorkers;
import io.llmft.common.PipelineForwarder;
import io.llmft.common.ProblemException;
import io.llmft.common.Validation;
import io.llmft.core.DjlRuntime;
import io.llmft.core.data.BatchLoader;
import io.llmft.core.data.InstructionCollator;
import io.llmft.core.messages.JobStatus;
import io.llmft.core.messages.PipelineContext;
import io.llmft.core.messages.Stage;
import io.llmft.core.messages.TrainingJob;
import io.llmft.core.model.Gpt2Model;
import io.llmft.core.model.HfCheckpoint;
import io.llmft.core.text.Gpt2Tokenizer;
import io.llmft.core.text.PromptStyle;
import io.llmft.core.train.BookTrainer;
import io.llmft.core.train.EvaluationPoint;
import io.llmft.core.train.TrainingListener;
import io.llmft.core.train.TrainingSettings;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/** Accepts training jobs and runs the book's finetuning loop on a worker. */
@ApplicationScoped
public class TrainingService {
  private static final Logger LOG = Logger.getLogger(TrainingService.class);

  private final ArtifactStore store;
  private final JobStore<TrainingState> jobs;
  private final DatasetArtifacts datasets;
  private final BaseModels baseModels;
  private final JobWorkers workers;
  private final JobEventPublisher events;
  private final PipelineForwarder forwarder;
  private final ObjectMapper mapper;
  private final Set<String> cancelRequests = ConcurrentHashMap.newKeySet();

  public TrainingService(
      ArtifactStore store,
      DatasetArtifacts datasets,
      BaseModels baseModels,
      JobWorkers workers,
      JobEventPublisher events,
      PipelineForwarder forwarder,
      ObjectMapper mapper) {
    this.store = store;
    this.jobs = new JobStore<>(store, Stage.TRAINING, TrainingState.class, "training job");
    this.datasets = datasets;
    this.baseModels = baseModels;
    this.workers = workers;
    this.events = events;
    this.forwarder = forwarder;
    this.mapper = mapper;
  }

  void resumeUnfinished(@Observes StartupEvent start) {
    DjlRuntime.init();
    for (TrainingState job : jobs.unfinished()) {
      LOG.infof("restarting training job %s from its beginning after a restart", job.id);
      workers.submit(() -> run(job.id));
    }
  }

  public TrainingState get(String id) {
    return jobs.get(id);
  }

  /** The stored job and whether this call created it. */
  public record Accepted(TrainingState state, boolean created) {}

  /**
   * @throws ProblemException 400 naming each invalid field
   */
  public Accepted accept(TrainingJob job, String defaultId) {
    validate(job);
    String id =
        job.jobId() != null
            ? job.jobId()
            : defaultId != null ? Ids.require(defaultId, "jobId") : Ids.newId("train");
    TrainingSettings settings = settings(job);
    DatasetArtifacts.Manifest manifest = datasets.manifest(job.datasetId());
    TrainingState state = new TrainingState();
    state.id = id;
    state.datasetId = job.datasetId();
    state.baseModel = baseModels.describe(job.baseModel());
    state.pipelineId = job.pipeline() != null ? job.pipeline().id() : null;
    state.hyperparameters =
        new TrainingState.Hyperparameters(
            settings.epochs(),
            settings.batchSize(),
            settings.learningRate(),
            settings.weightDecay(),
            settings.evalFreq(),
            settings.evalIter(),
            settings.seed(),
            settings.shuffle(),
            settings.maxSteps(),
            manifest.allowedMaxLength());
    if (!jobs.create(state)) {
      return new Accepted(jobs.get(id), false);
    }
    ObjectNode request = mapper.valueToTree(job);
    request.put("jobId", id);
    jobs.saveRequest(id, request);
    events.publish(Stage.TRAINING, state);
    workers.submit(() -> run(id));
    return new Accepted(state, true);
  }

  /** Cancels a pending or running job; a finished one is left as it is. */
  public synchronized TrainingState cancel(String id) {
    TrainingState state = jobs.get(id);
    if (state.isTerminal()) {
      throw ProblemException.conflict(
          "training job '" + id + "' has already ended: " + state.status);
    }
    cancelRequests.add(id);
    if (state.status == JobStatus.PENDING) {
      finish(state, JobStatus.CANCELLED, null);
    }
    return state;
  }

  private void validate(TrainingJob job) {
    Validation v = new Validation();
    v.id(job.jobId(), "jobId");
    v.check(job.datasetId() != null, "datasetId", "is required");
    v.check(
        job.datasetId() == null || datasets.exists(job.datasetId()),
        "datasetId",
        "no prepared dataset with this id in the artifact store");
    baseModels.validate(job.baseModel(), v);
    v.positive(job.epochs(), "epochs")
        .positive(job.batchSize(), "batchSize")
        .positive(job.learningRate(), "learningRate");
    v.check(
        job.weightDecay() == null || job.weightDecay() >= 0, "weightDecay", "must not be negative");
    v.positive(job.evalFreq(), "evalFreq")
        .positive(job.evalIter(), "evalIter")
        .positive(job.maxSteps(), "maxSteps");
    v.check(
        job.lora() == null || job.lora().isNull(),
        "lora",
        "LoRA finetuning is not supported by this version");
    v.check(
        job.maskInstructions() == null || !job.maskInstructions(),
        "maskInstructions",
        "instruction masking is not supported by this version");
    v.throwIfInvalid();
  }

  private static TrainingSettings settings(TrainingJob job) {
    TrainingSettings book = TrainingSettings.book();
    return new TrainingSettings(
        job.epochs() != null ? job.epochs() : book.epochs(),
        job.batchSize() != null ? job.batchSize() : book.batchSize(),
        job.learningRate() != null ? job.learningRate() : book.learningRate(),
        job.weightDecay() != null ? job.weightDecay() : book.weightDecay(),
        job.evalFreq() != null ? job.evalFreq() : book.evalFreq(),
        job.evalIter() != null ? job.evalIter() : book.evalIter(),
        job.seed() != null ? job.seed() : book.seed(),
        job.shuffle() != null ? job.shuffle() : book.shuffle(),
        job.maxSteps());
  }

  void run(String id) {
    TrainingState state = jobs.get(id);
    if (state.isTerminal()) {
      return; // cancelled while it waited
    }
    state.status = JobStatus.RUNNING;
    state.device = DjlRuntime.device().toString();
    jobs.save(state);
    events.publish(Stage.TRAINING, state);
    long started = System.nanoTime();
    try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device())) {
      TrainingJob job = jobs.readRequest(id, TrainingJob.class);
      TrainingSettings settings = settings(job);
      DatasetArtifacts.Manifest manifest = datasets.manifest(job.datasetId());
      try (Gpt2Model model = baseModels.load(job.baseModel(), manager)) {
        state.parameterCount = model.parameterCount();
        int allowedMaxLength =
            Math.min(manifest.allowedMaxLength(), model.config().contextLength());
        state.hyperparameters = withAllowedMaxLength(state.hyperparameters, allowedMaxLength);
        PromptStyle style = PromptStyle.fromId(manifest.promptStyle());
        InstructionCollator collator = new InstructionCollator(allowedMaxLength);
        BatchLoader train =
            new BatchLoader(
                tokenize(job.datasetId(), "train", style),
                settings.batchSize(),
                settings.shuffle(),
                true,
                collator,
                settings.seed());
        BatchLoader validation =
            new BatchLoader(
                tokenize(job.datasetId(), "validation", style),
                settings.batchSize(),
                false,
                false,
                collator,
                settings.seed());
        if (train.batchCount() == 0) {
          throw new IllegalArgumentException(
              "the training split has fewer entries than one batch of " + settings.batchSize());
        }
        BookTrainer.Result result =
            new BookTrainer(model).train(train, validation, settings, new Progress(state));
        state.trainingSeconds = (System.nanoTime() - started) / 1e9;
        if (result.cancelled()) {
          finish(state, JobStatus.CANCELLED, null);
          return;
        }
        HfCheckpoint.save(model, store.dir("models", id));
        store.writeJson(store.dir("models", id).resolve("training.json"), state);
      }
      state.modelId = id;
      finish(state, JobStatus.SUCCEEDED, null);
      forwarder.forward(
          job.pipeline(),
          Map.of(PipelineContext.DATASET_ID, job.datasetId(), PipelineContext.MODEL, id));
    } catch (Exception e) {
      LOG.errorf(e, "training job %s failed", id);
      finish(state, JobStatus.FAILED, e.getMessage() != null ? e.getMessage() : e.toString());
    }
  }

  private static TrainingState.Hyperparameters withAllowedMaxLength(
      TrainingState.Hyperparameters h, int allowed) {
    return new TrainingState.Hyperparameters(
        h.epochs(),
        h.batchSize(),
        h.learningRate(),
        h.weightDecay(),
        h.evalFreq(),
        h.evalIter(),
        h.seed(),
        h.shuffle(),
        h.maxSteps(),
        allowed);
  }

  private void finish(TrainingState state, JobStatus status, String error) {
    cancelRequests.remove(state.id);
    state.status = status;
    state.error = error;
    jobs.save(state);
    String artifact =
        status == JobStatus.SUCCEEDED ? store.dir("models", state.id).toString() : null;
    events.publish(
        Stage.TRAINING,
        state,
        status == JobStatus.SUCCEEDED ? 1.0 : null,
        metricsJson(state),
        artifact);
  }

  private com.fasterxml.jackson.databind.JsonNode metricsJson(TrainingState state) {
    ObjectNode m = mapper.createObjectNode();
    m.put("step", state.step);
    m.put("totalSteps", state.totalSteps);
    if (state.initialLosses != null) {
      m.set("initialLosses", mapper.valueToTree(state.initialLosses));
    }
    if (!state.metrics.isEmpty()) {
      m.set("last", mapper.valueToTree(state.metrics.get(state.metrics.size() - 1)));
    }
    return m;
  }

  private List<int[]> tokenize(String datasetId, String split, PromptStyle style) {
    Gpt2Tokenizer tokenizer = Gpt2Tokenizer.get();
    return datasets.readSplit(datasetId, split).stream()
        .map(e -> tokenizer.encode(style.formatTraining(DatasetArtifacts.toEntry(e))))
        .toList();
  }

  /** Keeps the job document, the events and the cancel flag in step with the training loop. */
  private final class Progress implements TrainingListener {
    private final TrainingState state;

    Progress(TrainingState state) {
      this.state = state;
    }

    @Override
    public void initialLosses(double train, double validation) {
      state.initialLosses = new TrainingState.Losses(train, validation);
      jobs.save(state);
      LOG.infof(
          "training job %s: initial losses train %.4f, validation %.4f",
          state.id, train, validation);
    }

    @Override
    public void stepDone(int epoch, int step, int totalSteps, double loss, long tokensSeen) {
      state.epoch = epoch;
      state.step = step;
      state.totalSteps = totalSteps;
      state.lastLoss = loss;
      jobs.save(state);
    }

    @Override
    public void evaluated(EvaluationPoint point) {
      state.metrics.add(point);
      jobs.save(state);
      LOG.infof(
          "training job %s: Ep %d (Step %06d): Train loss %.3f, Val loss %.3f",
          state.id, point.epoch(), point.step(), point.trainLoss(), point.valLoss());
      events.publish(
          Stage.TRAINING,
          state,
          (double) state.step / Math.max(1, state.totalSteps),
          metricsJson(state),
          null);
    }

    @Override
    public boolean cancelled() {
      return cancelRequests.contains(state.id);
    }
  }
}
