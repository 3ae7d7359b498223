package io.llmft.trainer.service;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.llmft.core.model.LanguageModel;
import io.llmft.core.text.Tokenizer;
import java.util.List;

/**
 * The copies of the model a job trains, one per device (the first is the one that is saved), the
 * base model's tokenizer, which training re-tokenizes the dataset with, and for DPO the frozen
 * reference model (else null).
 */
record ModelReplicas(
    List<Device> devices,
    List<NDManager> managers,
    List<LanguageModel> models,
    Tokenizer tokenizer,
    LanguageModel reference)
    implements AutoCloseable {
  LanguageModel first() {
    return models.get(0);
  }

  @Override
  public void close() {
    models.forEach(LanguageModel::close);
    if (reference != null) {
      reference.close();
    }
    managers.forEach(NDManager::close);
  }
}
