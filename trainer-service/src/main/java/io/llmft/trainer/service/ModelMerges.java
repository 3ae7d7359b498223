package io.llmft.trainer.service;

import ai.djl.ndarray.NDManager;
import io.llmft.common.rest.ProblemException;
import io.llmft.common.store.AdapterBases;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.Ids;
import io.llmft.common.store.NotFoundException;
import io.llmft.contract.ModelDirectory;
import io.llmft.models.checkpoint.AdapterMerge;
import io.llmft.models.checkpoint.HfCheckpoint;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Merges a LoRA model's PEFT adapter ({@code models/{id}/adapter/}) into its base: the base named
 * by the adapter's {@code base_model_name_or_path} plus {@code scale * B A} in every adapted
 * weight, written as a new model of the store in its family's own layout, whose logits are the
 * adapter model's.
 */
@Singleton
public class ModelMerges {
  private final ArtifactStore store;
  private final AdapterBases bases;

  public ModelMerges(ArtifactStore store, AdapterBases bases) {
    this.store = store;
    this.bases = bases;
  }

  /**
   * The id of the merged model, written under {@code models/} before this returns.
   *
   * @throws NotFoundException when there is no model {@code id}
   * @throws ProblemException 400 when it has no adapter or its base is not here, 409 while it is
   *     being written
   */
  public String merge(String id) {
    if (!store.layout().hasModel(id)) {
      throw new NotFoundException("model", id);
    }
    Path dir = store.layout().model(id);
    if (HfCheckpoint.beingWritten(dir)) {
      throw ProblemException.conflict("id: model '" + id + "' is still being written");
    }
    Path adapter = dir.resolve(HfCheckpoint.ADAPTER_DIR);
    if (!ModelDirectory.holdsAdapter(adapter)) {
      throw ProblemException.invalid(
          "id",
          "model '"
              + id
              + "' has no LoRA adapter to merge (adapter/ with "
              + ModelDirectory.ADAPTER_CONFIG_FILE
              + "): it was trained without LoRA or by an earlier release");
    }
    Path base = bases.require(adapter, "id");
    String merged = Ids.newId(id + "-merged");
    try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
      AdapterMerge.write(base, adapter, store.layout().model(merged), manager);
    } catch (IllegalArgumentException e) {
      throw ProblemException.invalid("id", e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot merge model " + id, e);
    }
    return merged;
  }
}
