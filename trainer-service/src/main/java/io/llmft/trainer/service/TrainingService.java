package io.llmft.trainer.service;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.job.JobCancelledException;
import io.llmft.common.job.JobControl;
import io.llmft.common.job.JobStoppedException;
import io.llmft.common.job.JobTiming;
import io.llmft.common.job.StageService;
import io.llmft.common.job.StageSupport;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.DatasetJob;
import io.llmft.contract.PipelineContext;
import io.llmft.contract.Stage;
import io.llmft.contract.TrainingJob;
import io.llmft.models.LanguageModel;
import io.llmft.models.LoraAdapters;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.text.ChatTargets;
import io.llmft.text.ChatTemplate;
import io.llmft.text.PromptStyle;
import io.llmft.text.Tokenizer;
import io.llmft.training.BookTrainer;
import io.llmft.training.Checkpointer;
import io.llmft.training.DpoTrainer;
import io.llmft.training.TrainingCheckpoint;
import io.llmft.training.TrainingListener;
import io.llmft.training.TrainingLoop;
import io.llmft.training.TrainingSettings;
import io.llmft.training.data.BatchLoader;
import io.llmft.training.data.ChatCollator;
import io.llmft.training.data.InstructionCollator;
import io.llmft.training.data.PreferenceCollator;
import io.llmft.training.data.PreferenceLoader;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

/**
 * Accepts, runs and finishes training jobs: the rules of a job ({@link TrainingJobRules}), its
 * model ({@link ModelSetup}) and splits ({@link SplitLoader}) come from their own classes, the
 * book's loop from {@link BookTrainer}, progress goes to the job through {@link TrainingProgress}.
 */
@Singleton
public class TrainingService extends StageService<TrainingJob, TrainingState> {

  private final DatasetArtifacts datasets;
  private final BaseModels baseModels;
  private final TrainingJobRules rules;
  private final ModelSetup setup;
  private final SplitLoader splits;
  private final TrainingMeters meters;

  public TrainingService(
      StageSupport support,
      DatasetArtifacts datasets,
      BaseModels baseModels,
      TrainingJobRules rules,
      ModelSetup setup,
      SplitLoader splits,
      TrainingMeters meters) {
    super(Stage.TRAINING, TrainingJob.class, TrainingState.class, "training job", "train", support);
    this.meters = meters;
    this.datasets = datasets;
    this.baseModels = baseModels;
    this.rules = rules;
    this.setup = setup;
    this.splits = splits;
  }

  void onStart(@Observes StartupEvent start) {
    DjlRuntime.init();
  }

  @Override
  protected void validate(TrainingJob job) {
    rules.validate(job);
  }

  @Override
  protected TrainingState newState(TrainingJob job) {
    TrainingState state = new TrainingState();
    state.datasetId = job.datasetId();
    state.baseModel = job.baseModel().describe();
    state.hyperparameters =
        rules.hyperparameters(job, datasets.manifest(job.datasetId()).allowedMaxLength());
    return state;
  }

  @Override
  protected Map<String, String> execute(TrainingState state, TrainingJob job, JobControl control)
      throws Exception {
    long started = System.nanoTime();
    TrainingSettings settings = rules.settings(job);
    DatasetArtifacts.Manifest manifest = datasets.manifest(job.datasetId());
    Consumer<String> downloadNote =
        note -> {
          state.download = note;
          progress(state, 0);
        };
    try (ModelReplicas replicas = setup.replicas(job, downloadNote, control)) {
      state.device = replicas.devices().get(0).toString();
      state.devices = replicas.devices().stream().map(Device::toString).toList();
      LanguageModel model = replicas.first();
      if (model.adapter() instanceof LoraAdapters lora) {
        state.lora = new TrainingState.Lora(lora.rank(), lora.alpha());
      }
      state.parameterCount = model.parameterCount();
      state.trainableParameters =
          model.trainableParameters().values().stream().mapToLong(p -> p.size()).sum();
      int allowedMaxLength = Math.min(manifest.allowedMaxLength(), model.config().contextLength());
      state.hyperparameters = rules.hyperparameters(job, allowedMaxLength);
      Tokenizer tokenizer = replicas.tokenizer();
      state.family = model.family().modelType();
      Path checkpoints = store.layout().trainingCheckpoints(state.id);
      Tokenizer saved = tokenizer;
      boolean chat = manifest.isChat();
      state.format = chat ? DatasetJob.CHAT : DatasetJob.ALPACA;
      PromptStyle style = chat ? null : PromptStyle.fromId(manifest.promptStyle());
      ChatTargets targets = null;
      java.util.Optional<EpochSamples.Prompt> sample;
      if (chat) {
        ChatTargets.TrainOn trainOn = ChatTargets.TrainOn.of(job.trainOn());
        state.trainOn = trainOn.name().toLowerCase(java.util.Locale.ROOT);
        ChatTemplate template = chatTemplate(job);
        if (job.chatTemplate() != null) {
          saved = template.attachTo(tokenizer); // the saved model keeps the template it learned
        }
        Map<String, Object> kwargs =
            job.chatTemplateKwargs() == null ? Map.of() : job.chatTemplateKwargs();
        targets = new ChatTargets(template, tokenizer, kwargs, trainOn);
        sample = conversationSample(job, template, kwargs, tokenizer);
      } else {
        state.promptStyle = style.id();
        sample =
            splits
                .first(job.datasetId(), "validation")
                .map(entry -> EpochSamples.Prompt.of(style, entry, tokenizer));
      }
      TrainingListener listener =
          listeners(state, job, control, model, tokenizer, sample, checkpoints);
      TrainingLoop.Result result =
          job.isDpo()
              ? preferenceTuning(
                  state, job, replicas, style, targets, settings, allowedMaxLength, listener)
              : chat
                  ? conversationalFinetuning(
                      state, job, replicas, targets, settings, allowedMaxLength, listener)
                  : instructionFinetuning(
                      job, replicas, style, settings, allowedMaxLength, listener);
      state.trainingSeconds = (System.nanoTime() - started) / 1e9;
      if (result.outcome() == TrainingLoop.Outcome.CANCELLED) {
        // its checkpoints stay: a retry goes on from the last one
        throw new JobCancelledException(state.id);
      }
      if (result.outcome() == TrainingLoop.Outcome.STOPPED) {
        throw new JobStoppedException(
            state.id, "stopped after step " + result.steps() + ", checkpoint written");
      }
      state.modelId = state.id;
      // a run fenced while it writes the model's files does not switch the link to them
      HfCheckpoint.save(
          model, saved, store.layout().model(state.id), control::checkOwned, state.baseModel);
      store.writeJson(store.layout().modelTrainingRecord(state.id), state);
      TrainingCheckpoint.delete(checkpoints);
    }
    return Map.of(PipelineContext.DATASET_ID, job.datasetId(), PipelineContext.MODEL, state.id);
  }

  /**
   * The template a chat job renders with: the one it gives (a name, or Jinja whose turns end as the
   * base template's or GPT-2's {@code <|endoftext|>}), else the base model's own.
   */
  private ChatTemplate chatTemplate(TrainingJob job) throws java.io.IOException {
    java.util.Optional<ChatTemplate> own = baseModels.chatTemplate(job.baseModel());
    if (job.chatTemplate() == null) {
      return own.orElseThrow();
    }
    return ChatTemplate.given(
        job.chatTemplate(),
        own.flatMap(ChatTemplate::endOfTurn)
            .orElse(io.llmft.text.Gpt2Tokenizer.END_OF_TEXT_MARKER));
  }

  /** The first validation conversation up to its last answer, for the epoch samples. */
  @SuppressWarnings("unchecked")
  private java.util.Optional<EpochSamples.Prompt> conversationSample(
      TrainingJob job, ChatTemplate template, Map<String, Object> kwargs, Tokenizer tokenizer) {
    return splits
        .firstConversation(job.datasetId(), "validation")
        .flatMap(
            row -> {
              try {
                return java.util.Optional.of(
                    EpochSamples.Prompt.ofConversation(
                        template,
                        JSON.convertValue(row.get("messages"), List.class),
                        row.hasNonNull("tools")
                            ? JSON.convertValue(row.get("tools"), List.class)
                            : null,
                        kwargs,
                        tokenizer));
              } catch (io.llmft.text.jinja.TemplateException e) {
                return java.util.Optional.empty(); // no sample, as for an empty validation split
              }
            });
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * Finetuning on conversations: the book's loop and cross-entropy over the targets {@link
   * ChatTargets} marks, over every replica; rows left out are counted in the job.
   */
  private TrainingLoop.Result conversationalFinetuning(
      TrainingState state,
      TrainingJob job,
      ModelReplicas replicas,
      ChatTargets targets,
      TrainingSettings settings,
      int allowedMaxLength,
      TrainingListener listener) {
    ChatCollator collator = new ChatCollator(allowedMaxLength, replicas.tokenizer().endOfText());
    SplitLoader.Conversations train =
        splits.loadConversations(
            job.datasetId(),
            "train",
            targets,
            allowedMaxLength,
            settings,
            job.truncatesLongRows(),
            collator,
            settings.shuffle(),
            true);
    SplitLoader.Conversations validation =
        splits.loadConversations(
            job.datasetId(),
            "validation",
            targets,
            allowedMaxLength,
            settings,
            job.truncatesLongRows(),
            collator,
            false,
            false);
    state.dropped =
        new TrainingState.Dropped(
            train.tooLong() + validation.tooLong(),
            train.unusable() + validation.unusable(),
            train.truncated() + validation.truncated());
    requireABatch(train.loader().batchCount(), settings);
    return new BookTrainer(replicas.models())
        .train(train.loader(), validation.loader(), settings, listener);
  }

  /** Chapter 7's finetuning: the book's loop and cross-entropy, over every replica. */
  private TrainingLoop.Result instructionFinetuning(
      TrainingJob job,
      ModelReplicas replicas,
      PromptStyle style,
      TrainingSettings settings,
      int allowedMaxLength,
      TrainingListener listener) {
    Tokenizer tokenizer = replicas.tokenizer();
    InstructionCollator collator = new InstructionCollator(allowedMaxLength, tokenizer.endOfText());
    boolean masks = rules.masksInstructions(job);
    BatchLoader train =
        splits.load(
            job.datasetId(),
            "train",
            style,
            tokenizer,
            settings,
            collator,
            masks,
            settings.shuffle(),
            true);
    BatchLoader validation =
        splits.load(
            job.datasetId(),
            "validation",
            style,
            tokenizer,
            settings,
            collator,
            masks,
            false,
            false);
    requireABatch(train.batchCount(), settings);
    return new BookTrainer(replicas.models()).train(train, validation, settings, listener);
  }

  /**
   * The DPO notebook's preference tuning of the first replica against the frozen reference (data
   * parallel over every replica), the training loader shuffled with {@code drop_last} as the
   * notebook's.
   */
  private TrainingLoop.Result preferenceTuning(
      TrainingState state,
      TrainingJob job,
      ModelReplicas replicas,
      PromptStyle style,
      ChatTargets targets,
      TrainingSettings settings,
      int allowedMaxLength,
      TrainingListener listener) {
    Tokenizer tokenizer = replicas.tokenizer();
    PreferenceCollator collator = new PreferenceCollator(allowedMaxLength, tokenizer.endOfText());
    var pairOf =
        targets != null
            ? SplitLoader.conversationPairs(targets)
            : SplitLoader.notebookPairs(tokenizer, style);
    int[] skipped = new int[2];
    PreferenceLoader train =
        splits.loadPreferences(
            job.datasetId(),
            "train",
            pairOf,
            settings,
            collator,
            settings.shuffle(),
            true,
            n -> skipped[0] = n);
    PreferenceLoader validation =
        splits.loadPreferences(
            job.datasetId(),
            "validation",
            pairOf,
            settings,
            collator,
            false,
            false,
            n -> skipped[1] = n);
    state.skippedPairs = skipped[0] + skipped[1];
    requireABatch(train.batchCount(), settings);
    List<TrainingListener> all = new ArrayList<>(List.of(listener));
    if (style != null) {
      // the notebook's before/after answers of three validation entries, in the prompt style
      all.add(
          new PreferenceSamples(
              replicas.first(),
              replicas.reference(),
              tokenizer,
              style,
              splits.firstPairs(job.datasetId(), "validation", PreferenceSamples.ENTRIES),
              state,
              jobs));
    }
    return new DpoTrainer(replicas.models(), replicas.references(), rules.beta(job))
        .train(train, validation, settings, TrainingListener.all(all));
  }

  private static void requireABatch(int batches, TrainingSettings settings) {
    if (batches == 0) {
      throw new IllegalArgumentException(
          "the training split has fewer entries than one batch of " + settings.batchSize());
    }
  }

  /** Who watches the loop: the job document and events, checkpoints, the samples per epoch. */
  private TrainingListener listeners(
      TrainingState state,
      TrainingJob job,
      JobControl control,
      LanguageModel model,
      Tokenizer tokenizer,
      java.util.Optional<EpochSamples.Prompt> samplePrompt,
      Path checkpoints) {
    DoubleConsumer publish = f -> progress(state, f);
    TrainingProgress progress = new TrainingProgress(state, control, jobs, publish, meters);
    List<TrainingListener> listeners =
        new ArrayList<>(
            List.of(
                progress,
                new Checkpointer(
                    checkpoints,
                    rules.checkpointEvery(job),
                    () -> {
                      control.checkOwned(); // a fenced run writes no checkpoint
                      return control.stopRequested();
                    },
                    progress::checkpointed)));
    samplePrompt
        .map(
            prompt ->
                new EpochSamples(
                    model,
                    tokenizer,
                    prompt,
                    state,
                    jobs,
                    sample -> publish.accept((double) state.step / Math.max(1, state.totalSteps))))
        .ifPresent(listeners::add);
    return TrainingListener.all(listeners);
  }

  @Override
  protected JobTiming.Throughput throughput(TrainingState state) {
    return new JobTiming.Throughput(state.tokensSeen, "tokens/s");
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
    if (state.samples != null && !state.samples.isEmpty()) {
      m.set("sample", mapper.valueToTree(state.samples.get(state.samples.size() - 1)));
    }
    return m;
  }
}
