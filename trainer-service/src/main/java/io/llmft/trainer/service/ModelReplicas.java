package io.llmft.trainer.service;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.llmft.models.LanguageModel;
import io.llmft.text.Tokenizer;
import java.util.List;

/**
 * The copies of the model a job trains, one per device (the first is the one that is saved), the
 * base model's tokenizer, which training re-tokenizes the dataset with, and for DPO the frozen
 * reference model on each of those devices (else none).
 */
record ModelReplicas(
    List<Device> devices,
    List<NDManager> managers,
    List<LanguageModel> models,
    Tokenizer tokenizer,
    List<LanguageModel> references)
    implements AutoCloseable {
  LanguageModel first() {
    return models.get(0);
  }

  /** The reference on the first replica's device. */
  LanguageModel reference() {
    return references.get(0);
  }

  @Override
  public void close() {
    models.forEach(LanguageModel::close);
    references.forEach(LanguageModel::close);
    managers.forEach(NDManager::close);
    if (tokenizer instanceof io.llmft.text.HfTokenizer hf) {
      hf.close(); // GPT-2's BPE is shared and holds no native memory
    }
  }
}
