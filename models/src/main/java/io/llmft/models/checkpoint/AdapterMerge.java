package io.llmft.models.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.llmft.models.FamilyFormat;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A base model and a LoRA adapter made one plain model: every adapted weight {@code W + scale * (B
 * A)} in the family's own layout, so that the merged model's logits are the adapter model's and any
 * reader of the family (transformers, vLLM, the suite) runs it without PEFT.
 */
public final class AdapterMerge {
  private AdapterMerge() {}

  /**
   * Writes the merged model to {@code dir} as {@link HfCheckpoint#save} does (atomically, the
   * base's tokenizer files beside it).
   *
   * @throws IllegalArgumentException when the adapter does not fit the base
   */
  public static void write(Path baseDir, Path adapterDir, Path dir, NDManager parent)
      throws IOException {
    try (LanguageModel merged = mergedWeights(baseDir, adapterDir, parent).build()) {
      HfCheckpoint.save(merged, HfCheckpoint.tokenizer(baseDir, merged.config()), dir);
    }
  }

  /**
   * The merged weights (what a job that starts from an adapter trains), in a new sub-manager of
   * {@code parent}.
   */
  public static ModelWeights mergedWeights(Path baseDir, Path adapterDir, NDManager parent)
      throws IOException {
    try (LanguageModel adapted = HfCheckpoint.load(baseDir, adapterDir, parent)) {
      FamilyFormat format = FamilyFormats.of(adapted.family());
      NDManager manager = parent.newSubManager();
      Map<String, NDArray> named = new LinkedHashMap<>();
      try (NDScope scope = new NDScope()) {
        for (Map.Entry<String, NDArray> t : adapted.checkpointTensors().entrySet()) {
          String name = format.parameterName(t.getKey());
          if (name != null) {
            NDArray copy = t.getValue().duplicate(); // (the adapted model's arrays close with it)
            NDScope.unregister(copy);
            copy.attach(manager);
            named.put(name, copy);
          }
        }
      } catch (RuntimeException e) {
        manager.close();
        throw e;
      }
      return format.fromNamed(adapted.config(), named, manager);
    }
  }
}
