package io.llmft.trainer.service;

import io.llmft.common.rest.Validation;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.TrainingJob;
import io.llmft.models.Precision;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.engine.NativeBf16;
import io.llmft.trainer.config.TrainerConfig;
import io.llmft.training.LearningRateSchedule.Decay;
import io.llmft.training.TrainingSettings;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.List;

/**
 * What a training job may say, and what it means once the defaults are filled in: the book's
 * hyper-parameters where the job names none, {@code trainer.checkpoint-every}, and bf16 where the
 * device multiplies bfloat16 natively, else fp32 ({@code "precision": "auto"}).
 */
@Singleton
public class TrainingJobRules {
  private static final String AUTO = "auto";
  private static final List<String> PRECISIONS =
      List.of(AUTO, Precision.FP32.id(), Precision.BF16.id());
  private static final List<String> DECAYS = Arrays.stream(Decay.values()).map(Decay::id).toList();

  private final DatasetArtifacts datasets;
  private final BaseModels baseModels;
  private final TrainerConfig config;
  private volatile NativeBf16 nativeBf16;

  public TrainingJobRules(DatasetArtifacts datasets, BaseModels baseModels, TrainerConfig config) {
    this.datasets = datasets;
    this.baseModels = baseModels;
    this.config = config;
  }

  /**
   * @throws io.llmft.common.rest.ProblemException 400 naming every invalid field
   */
  public void validate(TrainingJob job) {
    Validation v = new Validation();
    v.id(job.jobId(), "jobId");
    v.check(job.datasetId() != null, "datasetId", "is required");
    v.check(
        job.datasetId() == null || datasets.exists(job.datasetId()),
        "datasetId",
        "no prepared dataset with this id in the artifact store");
    baseModels.validate(job.baseModel(), v);
    validateChat(job, v);
    validateMethod(job, v);
    // Upper bounds: far beyond the book's settings, low enough that no value can exhaust the
    // machine or overflow a step count.
    v.between(job.epochs(), 1, 1000, "epochs")
        .between(job.batchSize(), 1, 1024, "batchSize")
        .between(job.learningRate(), 1e-12, 10, "learningRate")
        .between(job.weightDecay(), 0, 10, "weightDecay")
        .between(job.evalFreq(), 1, 1_000_000, "evalFreq")
        .between(job.evalIter(), 1, 10_000, "evalIter")
        .between(job.maxSteps(), 1, 10_000_000, "maxSteps")
        .between(job.warmupSteps(), 0, 10_000_000, "warmupSteps")
        .between(job.checkpointEvery(), 1, 10_000_000, "checkpointEvery");
    v.check(
        job.lrDecay() == null || DECAYS.contains(job.lrDecay()),
        "lrDecay",
        "must be one of " + DECAYS);
    v.check(
        job.precision() == null || PRECISIONS.contains(job.precision()),
        "precision",
        "must be one of " + PRECISIONS);
    if (Precision.BF16.id().equals(job.precision())) {
      NativeBf16 bf16 = nativeBf16();
      v.check(
          bf16.nativeBf16(),
          "precision",
          "this trainer's device has no native bfloat16 ("
              + bf16.reason()
              + "): its bf16 products would be emulated, far slower than fp32 (two gpt2-small"
              + " steps took about 12 minutes on an AVX2 CPU, fp32 4 s each); use \"fp32\" or"
              + " \"auto\"");
    }
    v.throwIfInvalid();
  }

  /**
   * {@code method} and what goes with it: DPO on a preference dataset only, with its own {@code
   * dpo} settings and optional {@code referenceModel} of the base model's family; the fields that
   * make no sense with the method are refused by name.
   */
  /** A chat dataset's settings, and a base model whose template renders its conversations. */
  private void validateChat(TrainingJob job, Validation v) {
    boolean chat =
        job.datasetId() != null
            && datasets.exists(job.datasetId())
            && datasets.manifest(job.datasetId()).isChat();
    if (!chat) {
      v.check(job.trainOn() == null, "trainOn", "applies to chat datasets only");
      v.check(job.chatTemplate() == null, "chatTemplate", "applies to chat datasets only");
      v.check(
          job.chatTemplateKwargs() == null, "chatTemplateKwargs", "applies to chat datasets only");
      v.check(job.longRows() == null, "longRows", "applies to chat datasets only");
      return;
    }
    if (job.trainOn() != null) {
      try {
        io.llmft.text.ChatTargets.TrainOn.of(job.trainOn());
      } catch (IllegalArgumentException e) {
        v.check(false, "trainOn", e.getMessage());
      }
    }
    v.check(
        job.longRows() == null
            || TrainingJob.LONG_ROWS_DROP.equals(job.longRows())
            || TrainingJob.LONG_ROWS_TRUNCATE.equals(job.longRows()),
        "longRows",
        "must be drop (the default) or truncate");
    v.check(
        job.maskInstructions() == null,
        "maskInstructions",
        "does not apply to a chat dataset: trainOn says what is learned (assistant by default)");
    v.check(
        job.chatTemplateKwargs() == null || job.chatTemplateKwargs().size() <= 32,
        "chatTemplateKwargs",
        "at most 32 variables");
    if (job.chatTemplate() != null) {
      v.maxLength(job.chatTemplate(), 100_000, "chatTemplate");
      try {
        io.llmft.text.ChatTemplate.given(job.chatTemplate(), "<|endoftext|>");
      } catch (IllegalArgumentException | io.llmft.text.jinja.TemplateException e) {
        v.check(false, "chatTemplate", e.getMessage());
      }
      return;
    }
    if (job.baseModel() == null) {
      return;
    }
    try {
      var template = baseModels.chatTemplate(job.baseModel());
      v.check(
          template.isPresent(),
          "baseModel",
          "has no chat template (tokenizer_config.json's chat_template or chat_template.jinja),"
              + " which a chat dataset's conversations are rendered with: name one with"
              + " chatTemplate (chatml, llama3) or give a Jinja template");
      v.check(
          template.isEmpty() || template.get().endOfTurn().isPresent(),
          "baseModel",
          "its tokenizer names no eos_token, the end of a turn its chat template writes");
    } catch (java.io.IOException | RuntimeException e) {
      v.check(false, "baseModel", "its chat template cannot be used: " + e.getMessage());
    }
  }

  private void validateMethod(TrainingJob job, Validation v) {
    String method = job.method() == null ? TrainingJob.SFT : job.method();
    v.check(
        List.of(TrainingJob.SFT, TrainingJob.DPO).contains(method),
        "method",
        "must be sft (instruction finetuning) or dpo (preference tuning)");
    if (!job.isDpo()) {
      v.check(job.dpo() == null, "dpo", "applies to \"method\": \"dpo\" only");
      v.check(
          job.referenceModel() == null, "referenceModel", "applies to \"method\": \"dpo\" only");
      return;
    }
    if (job.datasetId() != null && datasets.exists(job.datasetId())) {
      DatasetArtifacts.Manifest manifest = datasets.manifest(job.datasetId());
      v.check(
          manifest.isPreference(),
          "datasetId",
          "method dpo needs a preference dataset (every entry with chosen and rejected); '"
              + job.datasetId()
              + "' is an "
              + manifest.kind()
              + " dataset");
    }
    if (job.dpo() != null) {
      v.between(job.dpo().beta(), 1e-6, 100.0, "dpo.beta");
    }
    v.check(
        !Boolean.TRUE.equals(job.maskInstructions()),
        "maskInstructions",
        "does not apply to dpo: its masks score the response alone already (the notebook's"
            + " mask[:len(prompt) + 2])");
    if (job.referenceModel() != null) {
      baseModels.validate(job.referenceModel(), "referenceModel", v);
      v.check(
          baseModels.sameFamily(job.baseModel(), job.referenceModel()),
          "referenceModel",
          "must be of the base model's family and tokenizer");
    }
  }

  public TrainingSettings settings(TrainingJob job) {
    TrainingSettings book = job.isDpo() ? TrainingSettings.dpoNotebook() : TrainingSettings.book();
    return new TrainingSettings(
        job.epochs() != null ? job.epochs() : book.epochs(),
        job.batchSize() != null ? job.batchSize() : book.batchSize(),
        job.learningRate() != null ? job.learningRate() : book.learningRate(),
        job.weightDecay() != null ? job.weightDecay() : book.weightDecay(),
        job.evalFreq() != null ? job.evalFreq() : book.evalFreq(),
        job.evalIter() != null ? job.evalIter() : book.evalIter(),
        job.seed() != null ? job.seed() : book.seed(),
        job.shuffle() != null ? job.shuffle() : book.shuffle(),
        job.maxSteps(),
        job.warmupSteps() != null ? job.warmupSteps() : book.warmupSteps(),
        job.lrDecay() != null ? Decay.fromId(job.lrDecay()) : book.decay());
  }

  /** The job's precision: as asked, or for {@code "auto"} (the default) bf16 where it is native. */
  public Precision precision(TrainingJob job) {
    if (job.precision() == null || AUTO.equals(job.precision())) {
      return nativeBf16().nativeBf16() ? Precision.BF16 : Precision.FP32;
    }
    return Precision.fromId(job.precision());
  }

  /** Why the job runs in {@link #precision}, for its document. */
  public String precisionReason(TrainingJob job) {
    if (job.precision() == null || AUTO.equals(job.precision())) {
      return "auto: " + precision(job).id() + ", " + nativeBf16().reason();
    }
    return "asked for";
  }

  private NativeBf16 nativeBf16() {
    NativeBf16 known = nativeBf16;
    if (known == null) {
      known = NativeBf16.of(DjlRuntime.trainingDevices(config.maxDevices()).get(0));
      nativeBf16 = known;
    }
    return known;
  }

  public int checkpointEvery(TrainingJob job) {
    return job.checkpointEvery() != null ? job.checkpointEvery() : config.checkpointEvery();
  }

  public boolean masksInstructions(TrainingJob job) {
    return Boolean.TRUE.equals(job.maskInstructions());
  }

  /** DPO's beta for a DPO job, else null. */
  public Double beta(TrainingJob job) {
    return job.isDpo()
        ? (job.dpo() == null ? TrainingJob.Dpo.DEFAULT_BETA : job.dpo().betaOrDefault())
        : null;
  }

  /** The job's settings as its document records them. */
  public TrainingState.Hyperparameters hyperparameters(TrainingJob job, int allowedMaxLength) {
    TrainingSettings s = settings(job);
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
        s.warmupSteps(),
        s.decay().id(),
        masksInstructions(job),
        allowedMaxLength,
        checkpointEvery(job),
        precision(job).id(),
        precisionReason(job),
        job.isDpo() ? TrainingJob.DPO : TrainingJob.SFT,
        beta(job));
  }
}
