package io.llmft.trainer.service;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.job.JobCancelledException;
import io.llmft.common.job.JobControl;
import io.llmft.common.job.JobStoppedException;
import io.llmft.common.job.StageService;
import io.llmft.common.job.StageSupport;
import io.llmft.common.rest.Validation;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.PipelineContext;
import io.llmft.contract.Stage;
import io.llmft.contract.TrainingJob;
import io.llmft.core.data.BatchLoader;
import io.llmft.core.data.InstructionCollator;
import io.llmft.core.data.InstructionEntry;
import io.llmft.core.engine.DjlRuntime;
import io.llmft.core.model.Gpt2Model;
import io.llmft.core.model.HfCheckpoint;
import io.llmft.core.model.Precision;
import io.llmft.core.text.Gpt2Tokenizer;
import io.llmft.core.text.PromptStyle;
import io.llmft.core.train.BookTrainer;
import io.llmft.core.train.EvaluationPoint;
import io.llmft.core.train.TrainingCheckpoint;
import io.llmft.core.train.TrainingListener;
import io.llmft.core.train.TrainingSettings;
import io.llmft.trainer.config.TrainerConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/** Runs the book's finetuning loop ({@code train_model_simple}) as jobs. */
@Singleton
public class TrainingService extends StageService<TrainingJob, TrainingState> {
  private static final Logger LOG = Logger.getLogger(TrainingService.class);

  private final DatasetArtifacts datasets;
  private final BaseModels baseModels;
  private final TrainerConfig config;

  public TrainingService(
      StageSupport support,
      DatasetArtifacts datasets,
      BaseModels baseModels,
      TrainerConfig config) {
    super(Stage.TRAINING, TrainingJob.class, TrainingState.class, "training job", "train", support);
    this.datasets = datasets;
    this.baseModels = baseModels;
    this.config = config;
  }

  void onStart(@Observes StartupEvent start) {
    DjlRuntime.init();
  }

  @Override
  protected void validate(TrainingJob job) {
    Validation v = new Validation();
    v.id(job.jobId(), "jobId");
    v.check(job.datasetId() != null, "datasetId", "is required");
    v.check(
        job.datasetId() == null || datasets.exists(job.datasetId()),
        "datasetId",
        "no prepared dataset with this id in the artifact store");
    baseModels.validate(job.baseModel(), v);
    // Upper bounds: far beyond the book's settings, low enough that no value can exhaust the
    // machine or overflow a step count.
    v.between(job.epochs(), 1, 1000, "epochs")
        .between(job.batchSize(), 1, 1024, "batchSize")
        .between(job.learningRate(), 1e-12, 10, "learningRate")
        .between(job.weightDecay(), 0, 10, "weightDecay")
        .between(job.evalFreq(), 1, 1_000_000, "evalFreq")
        .between(job.evalIter(), 1, 10_000, "evalIter")
        .between(job.maxSteps(), 1, 10_000_000, "maxSteps")
        .between(job.checkpointEvery(), 1, 10_000_000, "checkpointEvery");
    v.check(
        job.precision() == null || Precision.ids().contains(job.precision()),
        "precision",
        "must be one of " + Precision.ids());
    JsonNode lora = job.lora();
    if (lora != null && !lora.isNull()) {
      v.check(
          lora.isObject()
              && lora.path("rank").canConvertToInt()
              && lora.path("rank").asInt() > 0
              && lora.path("rank").asInt() <= 1024,
          "lora.rank",
          "must be an integer from 1 to 1024");
      v.check(
          lora.isObject()
              && lora.path("alpha").isNumber()
              && lora.path("alpha").asDouble() > 0
              && lora.path("alpha").asDouble() <= 1e4,
          "lora.alpha",
          "must be a number above 0, at most 10000");
      lora.fieldNames()
          .forEachRemaining(
              f ->
                  v.check(
                      f.equals("rank") || f.equals("alpha"),
                      "lora." + f,
                      "unknown field (known: rank, alpha)"));
    }
    v.throwIfInvalid();
  }

  @Override
  protected TrainingState newState(TrainingJob job) {
    TrainingSettings settings = settings(job);
    TrainingState state = new TrainingState();
    state.datasetId = job.datasetId();
    state.baseModel = baseModels.describe(job.baseModel());
    state.hyperparameters =
        hyperparameters(job, settings, datasets.manifest(job.datasetId()).allowedMaxLength());
    return state;
  }

  private TrainingState.Hyperparameters hyperparameters(
      TrainingJob job, TrainingSettings s, int allowedMaxLength) {
    return new TrainingState.Hyperparameters(
        s.epochs(),
        s.batchSize(),
        s.learningRate(),
        s.weightDecay(),
        s.evalFreq(),
        s.evalIter(),
        s.seed(),
        s.shuffle(),
        s.maxSteps(),
        masks(job),
        allowedMaxLength,
        checkpointEvery(job),
        precision(job).id());
  }

  private static Precision precision(TrainingJob job) {
    return job.precision() == null ? Precision.FP32 : Precision.fromId(job.precision());
  }

  private int checkpointEvery(TrainingJob job) {
    return job.checkpointEvery() != null ? job.checkpointEvery() : config.checkpointEvery();
  }

  private static boolean masks(TrainingJob job) {
    return Boolean.TRUE.equals(job.maskInstructions());
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

  @Override
  protected Map<String, String> execute(TrainingState state, TrainingJob job, JobControl control)
      throws Exception {
    long started = System.nanoTime();
    List<Device> devices = DjlRuntime.trainingDevices(config.maxDevices());
    state.device = devices.get(0).toString();
    state.devices = devices.stream().map(Device::toString).toList();
    TrainingSettings settings = settings(job);
    DatasetArtifacts.Manifest manifest = datasets.manifest(job.datasetId());
    List<NDManager> managers = new ArrayList<>();
    List<Gpt2Model> replicas = new ArrayList<>();
    try {
      for (Device device : devices) {
        NDManager manager = NDManager.newBaseManager(device);
        managers.add(manager);
        Gpt2Model replica =
            baseModels.load(
                job.baseModel(),
                manager,
                note -> {
                  state.download = note;
                  progress(state, 0);
                },
                control);
        replicas.add(replica);
        replica.setPrecision(precision(job));
        if (job.lora() != null && !job.lora().isNull()) {
          replica.attachLora(
              job.lora().get("rank").asInt(),
              (float) job.lora().get("alpha").asDouble(),
              settings.seed());
        }
      }
      Gpt2Model model = replicas.get(0);
      if (model.lora() != null) {
        state.lora = new TrainingState.Lora(model.lora().rank(), model.lora().alpha());
      }
      state.parameterCount = model.parameterCount();
      state.trainableParameters =
          model.trainableParameters().values().stream().mapToLong(p -> p.size()).sum();
      int allowedMaxLength = Math.min(manifest.allowedMaxLength(), model.config().contextLength());
      state.hyperparameters = hyperparameters(job, settings, allowedMaxLength);
      PromptStyle style = PromptStyle.fromId(manifest.promptStyle());
      InstructionCollator collator = new InstructionCollator(allowedMaxLength);
      BatchLoader train = loader(job, "train", style, settings, collator, settings.shuffle(), true);
      BatchLoader validation = loader(job, "validation", style, settings, collator, false, false);
      if (train.batchCount() == 0) {
        throw new IllegalArgumentException(
            "the training split has fewer entries than one batch of " + settings.batchSize());
      }
      Path checkpoints = store.layout().trainingCheckpoints(state.id);
      BookTrainer.Result result =
          new BookTrainer(replicas)
              .train(
                  train,
                  validation,
                  settings,
                  new Progress(state, control),
                  new BookTrainer.Checkpointing(checkpoints, checkpointEvery(job)));
      state.trainingSeconds = (System.nanoTime() - started) / 1e9;
      if (result.cancelled()) {
        TrainingCheckpoint.delete(checkpoints);
        throw new JobCancelledException(state.id);
      }
      if (result.stopped()) {
        throw new JobStoppedException(
            state.id, "stopped after step " + result.steps() + ", checkpoint written");
      }
      state.modelId = state.id;
      HfCheckpoint.save(model, store.layout().model(state.id));
      store.writeJson(store.layout().modelTrainingRecord(state.id), state);
      TrainingCheckpoint.delete(checkpoints);
    } finally {
      replicas.forEach(Gpt2Model::close);
      managers.forEach(NDManager::close);
    }
    return Map.of(PipelineContext.DATASET_ID, job.datasetId(), PipelineContext.MODEL, state.id);
  }

  @Override
  protected String artifact(TrainingState state) {
    return store.layout().model(state.id).toString();
  }

  @Override
  protected JsonNode metrics(TrainingState state) {
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

  /**
   * A split's training texts as the book's DataLoader; with masking, also each instruction's
   * length.
   */
  private BatchLoader loader(
      TrainingJob job,
      String split,
      PromptStyle style,
      TrainingSettings settings,
      InstructionCollator collator,
      boolean shuffle,
      boolean dropLast) {
    Gpt2Tokenizer tokenizer = Gpt2Tokenizer.get();
    List<InstructionEntry> entries =
        datasets.readSplit(job.datasetId(), split).stream().map(DatasetArtifacts::toEntry).toList();
    List<int[]> items =
        entries.stream().map(e -> tokenizer.encode(style.formatTraining(e))).toList();
    int[] instructionLengths =
        masks(job)
            ? entries.stream()
                .mapToInt(e -> tokenizer.encode(style.formatInput(e)).length)
                .toArray()
            : null;
    return new BatchLoader(
        items,
        instructionLengths,
        settings.batchSize(),
        shuffle,
        dropLast,
        collator,
        settings.seed());
  }

  /** Keeps the job document, the events and the cancel flag in step with the training loop. */
  private final class Progress implements TrainingListener {
    private final TrainingState state;
    private final JobControl control;

    Progress(TrainingState state, JobControl control) {
      this.state = state;
      this.control = control;
    }

    @Override
    public void initialLosses(double train, double validation) {
      state.metrics = new ArrayList<>(); // a run restarted without a checkpoint starts over
      state.lastCheckpointStep = null;
      state.initialLosses = new TrainingState.Losses(train, validation);
      jobs.save(state);
      LOG.infof(
          "training job %s: initial losses train %.4f, validation %.4f",
          state.id, train, validation);
    }

    @Override
    public void resumed(TrainingCheckpoint.Progress progress) {
      state.resumedFromStep = progress.step();
      state.step = progress.step();
      state.epoch = progress.epoch();
      state.initialLosses =
          new TrainingState.Losses(progress.initialTrainLoss(), progress.initialValLoss());
      state.metrics = new ArrayList<>(progress.evaluations());
      jobs.save(state);
      LOG.infof(
          "training job %s: resumed from the checkpoint after step %d", state.id, progress.step());
    }

    @Override
    public void checkpointed(int step) {
      state.lastCheckpointStep = step;
      jobs.saveProgress(state);
    }

    @Override
    public void stepDone(int epoch, int step, int totalSteps, double loss, long tokensSeen) {
      state.epoch = epoch;
      state.step = step;
      state.totalSteps = totalSteps;
      state.lastLoss = loss;
      jobs.saveProgress(state);
    }

    @Override
    public void evaluated(EvaluationPoint point) {
      state.metrics.add(point);
      LOG.infof(
          "training job %s: Ep %d (Step %06d): Train loss %.3f, Val loss %.3f",
          state.id, point.epoch(), point.step(), point.trainLoss(), point.valLoss());
      progress(state, (double) state.step / Math.max(1, state.totalSteps));
    }

    @Override
    public boolean cancelled() {
      return control.cancelRequested();
    }

    @Override
    public boolean stopRequested() {
      return control.stopRequested();
    }
  }
}
