package io.llmft.inference.service;

import io.llmft.common.store.AdapterBases;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.Ids;
import io.llmft.common.store.ImportRoots;
import io.llmft.common.store.InvalidFieldException;
import io.llmft.contract.ModelDirectory;
import io.llmft.contract.PretrainedModel;
import io.llmft.inference.config.ServingConfig;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.checkpoint.PeftAdapters;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * LoRA adapters served by name over their base models, as vLLM's {@code --lora-modules} and {@code
 * /v1/load_lora_adapter}: {@code serving.lora-modules} ({@code name=path}, comma-separated) at
 * start, and what operators add and remove while it runs. A name is what {@code model} says in
 * {@code /v1}; the adapter directory (PEFT's layout, under the allowed import roots) names its
 * base. Registering reads nothing but the adapter's config and tensor headers; the arrays are read
 * by the first request ({@link AdapterCache}).
 */
@Singleton
public class LoraModules {
  /** At most this many names: the list a client can grow is bounded. */
  public static final int MAX_NAMES = 256;

  /**
   * A named adapter, its base's directory and the base as the adapter names it ({@code
   * base_model_name_or_path}).
   */
  public record Module(String name, Path adapter, Path base, String parent, long created) {}

  private final Map<String, Module> modules = new ConcurrentSkipListMap<>();
  private final ImportRoots imports;
  private final AdapterBases bases;
  private final ArtifactStore store;

  public LoraModules(
      ImportRoots imports, AdapterBases bases, ArtifactStore store, ServingConfig serving) {
    this.imports = imports;
    this.bases = bases;
    this.store = store;
    for (String entry : serving.loraModules().orElse(List.of())) {
      int eq = entry.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException(
            "serving.lora-modules: '" + entry + "' is not name=path");
      }
      try {
        add(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip());
      } catch (InvalidFieldException e) {
        throw new IllegalArgumentException(
            "serving.lora-modules: " + entry + ": " + e.field() + " " + e.reason(), e);
      }
    }
  }

  public Optional<Module> find(String name) {
    return Optional.ofNullable(modules.get(name));
  }

  /** By name. */
  public List<Module> list() {
    return List.copyOf(modules.values());
  }

  /**
   * Adds an adapter under a name.
   *
   * @throws InvalidFieldException naming {@code lora_name} or {@code lora_path} when it cannot be
   *     served
   */
  public synchronized void add(String name, String path) {
    if (!Ids.isValid(name)) {
      // a job's model id names it too
      throw new InvalidFieldException("lora_name", Ids.RULE);
    }
    if (path == null || path.isBlank()) {
      throw new InvalidFieldException("lora_path", "is required: an adapter directory");
    }
    if (modules.containsKey(name)) {
      throw new InvalidFieldException("lora_name", "is already served; unload it first");
    }
    if (store.layout().hasModel(name) || PretrainedModel.find(name).isPresent()) {
      throw new InvalidFieldException(
          "lora_name", "names a model of the artifact store; pick another name");
    }
    if (modules.size() >= MAX_NAMES) {
      throw new InvalidFieldException(
          "lora_name", "at most " + MAX_NAMES + " adapters are served by name");
    }
    Path dir = imports.require(path, "lora_path").toAbsolutePath().normalize();
    if (!ModelDirectory.holdsAdapter(dir)) {
      throw new InvalidFieldException(
          "lora_path",
          "holds no PEFT adapter ("
              + ModelDirectory.ADAPTER_CONFIG_FILE
              + " and "
              + ModelDirectory.ADAPTER_WEIGHTS_FILE
              + ")");
    }
    String why = bases.unreadable(dir, HfCheckpoint::unreadable, HfCheckpoint::unreadable);
    if (why != null) {
      throw new InvalidFieldException("lora_path", why);
    }
    Path base = bases.require(dir, "lora_path");
    String parent;
    try {
      parent = PeftAdapters.baseModel(dir);
    } catch (java.io.IOException e) {
      throw new InvalidFieldException("lora_path", "its adapter config cannot be read: " + e);
    }
    modules.put(name, new Module(name, dir, base, parent, System.currentTimeMillis() / 1000));
  }

  /**
   * @return whether an adapter of that name was served
   */
  public boolean remove(String name) {
    return name != null && modules.remove(name) != null;
  }
}
