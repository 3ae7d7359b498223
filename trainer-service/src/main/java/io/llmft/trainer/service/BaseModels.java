package io.llmft.trainer.service;

import ai.djl.ndarray.NDManager;
import io.llmft.common.job.Downloads;
import io.llmft.common.job.JobControl;
import io.llmft.common.rest.Validation;
import io.llmft.common.store.AdapterBases;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.ImportRoots;
import io.llmft.contract.ModelDirectory;
import io.llmft.contract.ModelRef;
import io.llmft.contract.PretrainedModel;
import io.llmft.models.ModelWeights;
import io.llmft.models.checkpoint.AdapterMerge;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.gpt2.Gpt2Weights;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.models.hub.HubDownloader;
import io.llmft.text.Gpt2Tokenizer;
import io.llmft.text.Tokenizer;
import io.llmft.trainer.config.HubConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Resolves a job's {@code baseModel} ({@link ModelRef}): a GPT-2 name (downloaded once from the hub
 * into {@code base-models/} of the artifact store), the id of a model finetuned here, a checkpoint
 * directory or a PEFT adapter directory under an import root (its base, found by {@link
 * AdapterBases}, with the adapter merged in), or a random initialisation.
 */
@ApplicationScoped
public class BaseModels {
  private static final Logger LOG = Logger.getLogger(BaseModels.class);

  private final ArtifactStore store;
  private final HubDownloader hub;
  private final Downloads downloads;
  private final ImportRoots imports;
  private final AdapterBases adapterBases;

  public BaseModels(
      ArtifactStore store,
      Downloads downloads,
      HubConfig hubConfig,
      ImportRoots imports,
      AdapterBases adapterBases) {
    this.store = store;
    this.imports = imports;
    this.adapterBases = adapterBases;
    this.downloads = downloads;
    this.hub =
        new HubDownloader(
            hubConfig.endpoint(),
            hubConfig.token().orElse(null),
            store.layout().baseModels(),
            LOG::info);
  }

  /**
   * Adds an error naming {@code baseModel} when the model it refers to is not here (the form of the
   * reference is the contract's to check).
   */
  public void validate(ModelRef base, Validation v) {
    validate(base, "baseModel", v);
  }

  /** As {@link #validate(ModelRef, Validation)} for a model reference named {@code field}. */
  public void validate(ModelRef base, String field, Validation v) {
    if (base == null) {
      v.check(false, field, "is required: " + ModelRef.FORMS);
    } else if (base instanceof ModelRef.Finetuned f) {
      v.check(
          store.layout().hasModel(f.id()),
          field,
          "'"
              + f.id()
              + "' is neither a GPT-2 model name ("
              + String.join(", ", PretrainedModel.bookNames())
              + ") nor a model finetuned here");
    } else if (base instanceof ModelRef.LocalPath l) {
      imports.validateModel(
          l.path(),
          field + ".path",
          v,
          dir -> adapterBases.unreadable(dir, HfCheckpoint::unreadable, HfCheckpoint::unreadable));
    }
  }

  /**
   * Whether two references name models of one family (and so one tokenizer layout); true when
   * either cannot be read yet (its own validation says why).
   */
  public boolean sameFamily(ModelRef a, ModelRef b) {
    try {
      return family(a) == family(b);
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  private io.llmft.models.ModelFamily family(ModelRef ref) throws IOException {
    if (ref instanceof ModelRef.RandomInit || ref instanceof ModelRef.Pretrained) {
      return io.llmft.models.ModelFamily.GPT2;
    }
    Path dir =
        ref instanceof ModelRef.Finetuned f
            ? store.layout().model(f.id())
            : modelFiles(imports.require(((ModelRef.LocalPath) ref).path(), "path"));
    return HfCheckpoint.readConfig(dir).family();
  }

  /**
   * The chat template a base model's directory brings, if any (GPT-2 names and random inits bring
   * none).
   *
   * @throws IOException when its files cannot be read or its template does not parse
   */
  public java.util.Optional<io.llmft.text.ChatTemplate> chatTemplate(ModelRef ref)
      throws IOException {
    if (ref instanceof ModelRef.Finetuned f) {
      return io.llmft.text.ChatTemplate.forModel(store.layout().model(f.id()));
    }
    if (ref instanceof ModelRef.LocalPath l) {
      return io.llmft.text.ChatTemplate.forModel(
          modelFiles(imports.require(l.path(), "baseModel.path")));
    }
    return java.util.Optional.empty();
  }

  /** The directory of a model's config and tokenizer: an adapter's base, or the model's own. */
  private Path modelFiles(Path dir) {
    return ModelDirectory.holdsAdapter(dir) ? adapterBases.require(dir, "baseModel.path") : dir;
  }

  /** Weights and the tokenizer, when it was asked for (else null). */
  public record BaseModel(ModelWeights weights, Tokenizer tokenizer) {}

  /** The pretrained files of a GPT-2, downloading what is missing (see {@link Downloads}). */
  Path download(PretrainedModel model, Consumer<String> progress, JobControl control)
      throws IOException {
    return downloads.attempt(
        "'" + model.bookName() + "'", e -> true, control, progress, () -> hub.ensure(model));
  }

  /**
   * The base model's weights, in a new sub-manager of {@code manager}, and, when asked for, its
   * tokenizer (built once per job: a Llama 3 one holds tens of MiB of native memory).
   */
  public BaseModel load(
      ModelRef base,
      NDManager manager,
      boolean withTokenizer,
      Consumer<String> progress,
      JobControl control)
      throws IOException {
    Path dir;
    if (base instanceof ModelRef.Pretrained p) {
      dir = download(p.model(), progress, control);
    } else if (base instanceof ModelRef.Finetuned f) {
      dir = store.layout().model(f.id());
    } else if (base instanceof ModelRef.LocalPath l) {
      dir = imports.require(l.path(), "baseModel.path");
      if (ModelDirectory.holdsAdapter(dir)) {
        Path baseDir = adapterBases.require(dir, "baseModel.path");
        Tokenizer tokenizer =
            withTokenizer
                ? HfCheckpoint.tokenizer(baseDir, HfCheckpoint.readConfig(baseDir))
                : null;
        return new BaseModel(AdapterMerge.mergedWeights(baseDir, dir, manager), tokenizer);
      }
    } else {
      ModelRef.RandomInit r = (ModelRef.RandomInit) base;
      return new BaseModel(
          Gpt2Weights.randomInit(GptConfig.of(r.config()), r.seedOrDefault(), manager),
          Gpt2Tokenizer.get());
    }
    Tokenizer tokenizer =
        withTokenizer ? HfCheckpoint.tokenizer(dir, HfCheckpoint.readConfig(dir)) : null;
    return new BaseModel(HfCheckpoint.loadWeights(dir, manager), tokenizer);
  }
}
