package io.llmft.contract;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files that make a directory a Hugging Face model, as the store, the import roots and every
 * service name them: {@code config.json} and the weights, in one {@code model.safetensors} or in
 * the shards a {@code model.safetensors.index.json} lists. What is in them is read where a model
 * runs.
 */
public final class ModelDirectory {
  public static final String CONFIG_FILE = "config.json";
  public static final String WEIGHTS_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";

  /** A LoRA adapter in Hugging Face PEFT's layout: its config, which names its base model. */
  public static final String ADAPTER_CONFIG_FILE = "adapter_config.json";

  public static final String ADAPTER_WEIGHTS_FILE = "adapter_model.safetensors";

  private ModelDirectory() {}

  /** Whether {@code dir} holds a config and weights. */
  public static boolean holdsModel(Path dir) {
    return Files.isRegularFile(dir.resolve(CONFIG_FILE))
        && (Files.isRegularFile(dir.resolve(WEIGHTS_FILE))
            || Files.isRegularFile(dir.resolve(INDEX_FILE)));
  }

  /** Whether {@code dir} holds a PEFT adapter (its config and weights) rather than a model. */
  public static boolean holdsAdapter(Path dir) {
    return Files.isRegularFile(dir.resolve(ADAPTER_CONFIG_FILE))
        && Files.isRegularFile(dir.resolve(ADAPTER_WEIGHTS_FILE));
  }
}
