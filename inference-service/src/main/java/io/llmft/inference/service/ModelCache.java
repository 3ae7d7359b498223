package io.llmft.inference.service;

import ai.djl.ndarray.NDManager;
import io.llmft.common.rest.Validation;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.Ids;
import io.llmft.common.store.ImportRoots;
import io.llmft.contract.ModelRef;
import io.llmft.core.engine.DjlRuntime;
import io.llmft.core.model.Gpt2Model;
import io.llmft.core.model.HfCheckpoint;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Loads models by reference (a model id in the artifact store's {@code models/}, or {@code {"path":
 * dir}}) and keeps the most recently used ones loaded. A model is lent out ({@link #lease}) and
 * counted: one that falls out of the cache while requests use it is closed when the last of them
 * gives it back, never under them.
 */
@Singleton
public class ModelCache {
  /** The references it serves. */
  public static final String FORMS = "a model id or {\"path\": dir}";

  private static final int CAPACITY = 2;

  private final ArtifactStore store;
  private final ImportRoots imports;
  private final NDManager manager;
  private final Map<Path, Shared> loaded = new LinkedHashMap<>(4, 0.75f, true);

  /**
   * A loaded model and how many hold it: the cache while the model is in it, and each open lease;
   * closed when the count reaches 0.
   */
  private static final class Shared {
    final Gpt2Model model;
    int holders = 1;

    Shared(Gpt2Model model) {
      this.model = model;
    }
  }

  /** The use of one model by one request or job; close it when done. */
  public final class Lease implements AutoCloseable {
    private final Shared shared;
    private boolean returned;

    private Lease(Shared shared) {
      this.shared = shared;
    }

    public Gpt2Model model() {
      return shared.model;
    }

    @Override
    public void close() {
      synchronized (ModelCache.this) {
        if (!returned) {
          returned = true;
          release(shared);
        }
      }
    }
  }

  public ModelCache(ArtifactStore store, ImportRoots imports) {
    this.store = store;
    this.imports = imports;
    this.manager = NDManager.newBaseManager(DjlRuntime.device());
  }

  /** Adds an error naming {@code field} when the reference is not a loadable model. */
  public void validate(ModelRef model, String field, Validation v) {
    if (model == null) {
      v.check(false, field, "is required: " + FORMS);
    } else if (model instanceof ModelRef.LocalPath l) {
      v.check(
          imports.resolve(l.path()).filter(HfCheckpoint::isCheckpoint).isPresent(),
          field + ".path",
          ImportRoots.RULE + ", with config.json and model.safetensors");
    } else if (model instanceof ModelRef.RandomInit) {
      v.check(false, field, "must be " + FORMS);
    } else {
      String id = model.describe();
      v.check(
          Ids.isValid(id) && HfCheckpoint.isCheckpoint(store.layout().model(id)),
          field,
          "no finetuned model with this id in the artifact store");
    }
  }

  /** The context length of a loadable model reference (read from its config.json), or empty. */
  public OptionalInt contextLength(ModelRef model) {
    try {
      return OptionalInt.of(HfCheckpoint.readConfig(directory(model)).contextLength());
    } catch (IOException | RuntimeException e) {
      return OptionalInt.empty();
    }
  }

  private Path directory(ModelRef model) {
    Path dir =
        model instanceof ModelRef.LocalPath l
            ? imports.require(l.path(), "model.path")
            : store.layout().model(model.describe());
    return dir.toAbsolutePath().normalize();
  }

  /** The model of this reference, loaded if it is not, for as long as the lease is open. */
  public synchronized Lease lease(ModelRef model) throws IOException {
    Path dir = directory(model);
    Shared shared = loaded.get(dir);
    if (shared == null) {
      shared = new Shared(HfCheckpoint.load(dir, manager));
      loaded.put(dir, shared);
      if (loaded.size() > CAPACITY) {
        var eldest = loaded.entrySet().iterator().next();
        loaded.remove(eldest.getKey());
        release(eldest.getValue());
      }
    }
    shared.holders++;
    return new Lease(shared);
  }

  private void release(Shared shared) {
    if (--shared.holders == 0) {
      shared.model.close();
    }
  }

  @PreDestroy
  void close() {
    manager.close();
  }
}
