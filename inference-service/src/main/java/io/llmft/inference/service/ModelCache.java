package io.llmft.inference.service;

import ai.djl.ndarray.NDManager;
import io.llmft.common.rest.Validation;
import io.llmft.common.store.AdapterBases;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.ImportRoots;
import io.llmft.contract.ModelDirectory;
import io.llmft.contract.ModelRef;
import io.llmft.inference.config.ServingConfig;
import io.llmft.models.Adapter;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelConfig;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.serving.DecodeLoop;
import io.llmft.text.ChatTemplate;
import io.llmft.text.Tokenizer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * Loads models by reference (a model id in the artifact store's {@code models/}, or {@code {"path":
 * dir}}) and keeps the most recently used ones loaded. A model is lent out ({@link #lease}) and
 * counted: one that falls out of the cache while requests use it is closed when the last of them
 * gives it back, never under them. A model is read from disk outside the cache's lock, once: other
 * requests for it wait for that load, and every other model keeps serving (giving a lease back
 * never waits for a load).
 */
@Singleton
public class ModelCache {
  /** The references it serves. */
  public static final String FORMS = "a model id or {\"path\": dir}";

  private static final int CAPACITY = 2;

  /**
   * Distinct models read from disk at once: as many as the cache holds, so that requests naming
   * many models cannot make the pod read them all together.
   */
  private final java.util.concurrent.Semaphore reads =
      new java.util.concurrent.Semaphore(CAPACITY, true);

  private final ArtifactStore store;
  private final ImportRoots imports;
  private final NDManager manager;
  private final DecodeLoop.Limits limits;
  private final ServingConfig serving;
  private final MeterRegistry meters;
  private final ModelLoader loader;
  private final AdapterBases adapterBases;
  private final AdapterCache adapters;
  private final LoraModules loraModules;
  private final Map<Path, Shared> loaded = new LinkedHashMap<>(4, 0.75f, true);
  private final Map<Path, CompletableFuture<Void>> loading = new HashMap<>();
  private int leases;

  /** Tokenizers and chat templates cached for requests that do not load the model. */
  private static final int TEXT_CAPACITY = 8;

  private final TokenizerCache tokenizers =
      new TokenizerCache(
          TEXT_CAPACITY, dir -> HfCheckpoint.tokenizer(dir, HfCheckpoint.readConfig(dir)));

  private record StampedTemplate(ModelFilesStamp stamp, Optional<ChatTemplate> template) {}

  private final Map<Path, StampedTemplate> chatTemplates =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, StampedTemplate> eldest) {
          return size() > TEXT_CAPACITY;
        }
      };

  /**
   * A loaded model and how many hold it: the cache while the model is in it, and each open lease;
   * closed when the count reaches 0.
   */
  private static final class Shared {
    final Path version;
    final LanguageModel model;
    final TokenizerCache.Held tokenizer;
    final DecodeLoop loop;
    final List<Meter> meters;
    int holders = 1;

    Shared(
        Path version,
        LanguageModel model,
        TokenizerCache.Held tokenizer,
        DecodeLoop loop,
        List<Meter> meters) {
      this.version = version;
      this.model = model;
      this.tokenizer = tokenizer;
      this.loop = loop;
      this.meters = meters;
    }
  }

  /** The loop's meters, tagged with the model's directory name; removed with the model. */
  private List<Meter> loopMeters(DecodeLoop loop, String model) {
    Tags tags = Tags.of("model", model);
    return List.of(
        Gauge.builder("llmft.serving.batch.largest", loop, l -> l.stats().largestBatch())
            .tags(tags)
            .description("the most requests the model's decode loop has run in one batch")
            .register(meters),
        Gauge.builder("llmft.serving.waiting", loop, DecodeLoop::waiting)
            .tags(tags)
            .description("requests waiting for a place in the batch")
            .register(meters),
        FunctionCounter.builder("llmft.serving.decode.steps", loop, l -> l.stats().decodeSteps())
            .tags(tags)
            .description("decode steps (one token for every running request)")
            .register(meters),
        FunctionCounter.builder("llmft.serving.cancelled", loop, l -> l.stats().cancelled())
            .tags(tags)
            .description("requests whose clients went away before they ended")
            .register(meters));
  }

  /**
   * The use of one model by one request or job, a base model's with one of its adapters or not;
   * close it when done.
   */
  public final class Lease implements AutoCloseable {
    private final Shared shared;
    private final AdapterCache.Held adapter; // null: the model itself
    private final LanguageModel model;
    private boolean returned;

    private Lease(Shared shared, AdapterCache.Held adapter) {
      this.shared = shared;
      this.adapter = adapter;
      this.model = adapter == null ? shared.model : shared.model.adapted(adapter.lora());
    }

    /** The model, or a view of the base with the adapter: what a job or a batch decoder runs. */
    public LanguageModel model() {
      return model;
    }

    /**
     * What a request to the {@link #loop} runs with: the adapter, or {@link Adapter#NONE}. The loop
     * is the base's, shared by every adapter of it.
     */
    public Adapter adapter() {
      return adapter == null ? Adapter.NONE : adapter.lora();
    }

    /** The same model with an adapter of it; this lease passes to the new one. */
    private Lease with(AdapterCache.Held held) {
      return new Lease(shared, held);
    }

    /** The longest sequence served for the model ({@link ModelCache#maxModelLen(ModelConfig)}). */
    public int maxModelLen() {
      return ModelCache.this.maxModelLen(shared.model.config());
    }

    /** The tokenizer the model's directory brings. */
    public Tokenizer tokenizer() {
      return shared.tokenizer.tokenizer();
    }

    /** The model's continuous-batching loop (its thread runs only while there is work). */
    public DecodeLoop loop() {
      return shared.loop;
    }

    @Override
    public void close() {
      synchronized (ModelCache.this) {
        if (!returned) {
          returned = true;
          leases--;
          release(shared);
        }
      }
      if (adapter != null) {
        adapter.close();
      }
    }
  }

  public ModelCache(
      ArtifactStore store,
      ImportRoots imports,
      ServingConfig serving,
      MeterRegistry meters,
      ModelLoader loader,
      AdapterBases adapterBases,
      LoraModules loraModules) {
    this.loraModules = loraModules;
    this.store = store;
    this.adapterBases = adapterBases;
    this.meters = meters;
    this.loader = loader;
    this.imports = imports;
    this.serving = serving;
    this.limits =
        new DecodeLoop.Limits(
            serving.maxBatch(),
            serving.maxWaiting(),
            serving.prefillTokens(),
            serving.idle().toMillis(),
            serving.requestDeadline().toMillis());
    this.manager = NDManager.newBaseManager(DjlRuntime.device());
    this.adapters = new AdapterCache(serving.maxLoras(), manager);
    Gauge.builder("llmft.serving.leases", this, ModelCache::leases)
        .description("models lent to running requests and jobs")
        .register(meters);
  }

  /** Leases open now (requests and jobs using a model). */
  public synchronized int leases() {
    return leases;
  }

  /** Adds an error naming {@code field} when the reference is not a loadable model. */
  public void validate(ModelRef model, String field, Validation v) {
    if (model == null) {
      v.check(false, field, "is required: " + FORMS);
    } else if (model instanceof ModelRef.LocalPath l) {
      imports.validateModel(
          l.path(),
          field + ".path",
          v,
          dir -> adapterBases.unreadable(dir, HfCheckpoint::unreadable, HfCheckpoint::unreadable));
    } else if (model instanceof ModelRef.RandomInit) {
      v.check(false, field, "must be " + FORMS);
    } else if (model instanceof ModelRef.Pretrained p) {
      v.check(
          ModelDirectory.holdsModel(directory(model)),
          field,
          p.model().bookName() + " is not in the artifact store (a training job downloads it)");
    } else {
      String id = model.describe();
      v.check(
          store.layout().hasModel(id) || loraModules.find(id).isPresent(),
          field,
          "no finetuned model with this id in the artifact store, nor a LoRA adapter served by"
              + " this name");
    }
  }

  /**
   * The longest sequence served for a model: {@code serving.max-model-len} or, by default, as many
   * tokens as {@code serving.kv-cache-memory} holds for a full batch; never beyond its context.
   */
  public int maxModelLen(ModelConfig config) {
    int context = config.contextLength();
    if (serving.maxModelLen().isPresent()) {
      return Math.min(context, serving.maxModelLen().get());
    }
    long memory =
        serving
            .kvCacheMemory()
            .map(io.quarkus.runtime.configuration.MemorySize::asLongValue)
            .orElseGet(ModelCache::defaultKvCacheMemory);
    long fits = memory / (config.kvCacheBytesPerToken() * serving.maxBatch());
    return (int) Math.max(1, Math.min(context, fits));
  }

  /** A quarter of the memory this process may use: the container's limit, else the machine's. */
  private static long defaultKvCacheMemory() {
    var os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os.getTotalMemorySize() / 4;
  }

  /** {@link #maxModelLen(ModelConfig)} of a loadable model reference, or empty. */
  public OptionalInt maxModelLen(ModelRef model) {
    try {
      return OptionalInt.of(maxModelLen(HfCheckpoint.readConfig(modelFiles(directory(model)))));
    } catch (IOException | RuntimeException e) {
      return OptionalInt.empty();
    }
  }

  /** The context length of a loadable model reference (read from its config.json), or empty. */
  public OptionalInt contextLength(ModelRef model) {
    try {
      return OptionalInt.of(HfCheckpoint.readConfig(modelFiles(directory(model))).contextLength());
    } catch (IOException | RuntimeException e) {
      return OptionalInt.empty();
    }
  }

  private Path directory(ModelRef model) {
    Path dir =
        model instanceof ModelRef.LocalPath l
            ? imports.require(l.path(), "model.path")
            : model instanceof ModelRef.Pretrained p
                ? store.layout().baseModel(p.model())
                : namedAdapter(model.describe()).orElse(store.layout().model(model.describe()));
    return dir.toAbsolutePath().normalize();
  }

  /** The directory of a LoRA adapter served by this name, unless a model of the store has it. */
  private Optional<Path> namedAdapter(String id) {
    return store.layout().hasModel(id)
        ? Optional.empty()
        : loraModules.find(id).map(LoraModules.Module::adapter);
  }

  /**
   * The directory of a model's config, tokenizer and template: a PEFT adapter's base (found by
   * {@link AdapterBases}), or the model's own.
   */
  private Path modelFiles(Path dir) {
    return ModelDirectory.holdsAdapter(dir) ? adapterBases.require(dir, "model.path") : dir;
  }

  /** What a request does with a model's tokenizer, while it holds it. */
  public interface TokenizerUse<T> {
    T apply(Tokenizer tokenizer) throws IOException;
  }

  /**
   * Runs {@code use} with the tokenizer of a loadable model reference: read once per directory and
   * shared, read again when the directory's files changed.
   */
  public <T> T withTokenizer(ModelRef ref, TokenizerUse<T> use) throws IOException {
    try (TokenizerCache.Held held = tokenizers.hold(modelFiles(directory(ref)))) {
      return use.apply(held.tokenizer());
    }
  }

  /**
   * The chat template of a loadable model reference (its {@code chat_template.jinja} or {@code
   * tokenizer_config.json}), read and parsed once per directory and again when its files changed;
   * empty when it has none.
   *
   * @throws IOException when the files cannot be read or the template does not parse
   */
  public Optional<ChatTemplate> chatTemplate(ModelRef ref) throws IOException {
    Path dir = modelFiles(directory(ref));
    ModelFilesStamp stamp = ModelFilesStamp.of(dir);
    synchronized (chatTemplates) {
      StampedTemplate cached = chatTemplates.get(dir);
      if (cached != null && cached.stamp().equals(stamp)) {
        return cached.template();
      }
    }
    Optional<ChatTemplate> template = ChatTemplate.forModel(dir);
    synchronized (chatTemplates) {
      chatTemplates.put(dir, new StampedTemplate(stamp, template));
    }
    return template;
  }

  /**
   * The model of this reference, loaded if it is not, for as long as the lease is open. An adapter
   * directory's lease holds its base (one copy, whatever number of its adapters are served) and the
   * adapter.
   */
  public Lease lease(ModelRef ref) throws IOException {
    Path dir = directory(ref);
    if (!ModelDirectory.holdsAdapter(dir)) {
      return leaseModel(dir);
    }
    Lease base = leaseModel(adapterBases.require(dir, "model.path"));
    try {
      return base.with(adapters.hold(dir, base.model().config()));
    } catch (IOException | RuntimeException e) {
      base.close();
      throw e;
    }
  }

  private Lease leaseModel(Path dir) throws IOException {
    while (true) {
      Path version = ModelFilesStamp.version(dir);
      CompletableFuture<Void> pending;
      CompletableFuture<Void> mine = null;
      synchronized (this) {
        Shared shared = loaded.get(dir);
        if (shared != null && !shared.version.equals(version)) {
          loaded.remove(dir); // saved again under its id: its requests finish on the old one
          release(shared);
          shared = null;
        }
        if (shared != null) {
          return lend(shared);
        }
        pending = loading.get(dir);
        if (pending == null) {
          mine = new CompletableFuture<>();
          loading.put(dir, mine);
        }
      }
      if (mine != null) {
        return load(dir, version, mine);
      }
      try {
        pending.join(); // another request loads it; then it is in the cache (or it failed)
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
  }

  /** Reads the model without the lock, then puts it in the cache with this request's lease. */
  private Lease load(Path dir, Path version, CompletableFuture<Void> done) throws IOException {
    TokenizerCache.Held tokenizer = null;
    try {
      tokenizer = tokenizers.hold(dir);
      LanguageModel model = read(dir);
      DecodeLoop loop = new DecodeLoop(model, limits, dir.getFileName().toString());
      Shared shared =
          new Shared(
              version, model, tokenizer, loop, loopMeters(loop, dir.getFileName().toString()));
      Lease lease;
      synchronized (this) {
        loading.remove(dir);
        loaded.put(dir, shared);
        if (loaded.size() > CAPACITY) {
          var eldest = loaded.entrySet().iterator().next();
          loaded.remove(eldest.getKey());
          release(eldest.getValue());
        }
        lease = lend(shared);
      }
      done.complete(null);
      return lease;
    } catch (IOException | RuntimeException | Error e) {
      if (tokenizer != null) {
        tokenizer.close();
      }
      synchronized (this) {
        loading.remove(dir);
      }
      done.completeExceptionally(e);
      throw e;
    }
  }

  /** Reads a model, waiting while {@link #CAPACITY} others are being read. */
  private LanguageModel read(Path dir) throws IOException {
    try {
      reads.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting to read " + dir.getFileName(), e);
    }
    try {
      return loader.load(dir, manager, serving.precision());
    } finally {
      reads.release();
    }
  }

  /**
   * What a model of {@code modelType} ({@code config.json}'s) is served in, asked for and taken;
   * empty for a type the suite does not run.
   */
  public java.util.Optional<io.llmft.models.ServingPrecision.Choice> precision(String modelType) {
    try {
      return java.util.Optional.of(
          loader.choice(serving.precision(), io.llmft.models.ModelFamily.ofModelType(modelType)));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  /** Models being read from disk now (at most {@link #CAPACITY}). */
  int reading() {
    return CAPACITY - reads.availablePermits();
  }

  private Lease lend(Shared shared) {
    shared.holders++;
    leases++;
    return new Lease(shared, null);
  }

  private void release(Shared shared) {
    if (--shared.holders == 0) {
      shared.meters.forEach(meters::remove);
      shared.model.close();
      shared.tokenizer.close();
    }
  }

  /** Adapters held now. */
  int adaptersHeld() {
    return adapters.size();
  }

  /** The directories of the models (bases included) held now. */
  synchronized java.util.Set<Path> modelsLoaded() {
    return java.util.Set.copyOf(loaded.keySet());
  }

  @PreDestroy
  void close() {
    tokenizers.clear();
    adapters.clear();
    manager.close();
  }
}
