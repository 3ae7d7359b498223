package io.llmft.trainer.service;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.llmft.core.model.Gpt2Model;
import java.util.List;

/** The copies of the model a job trains, one per device; the first is the one that is saved. */
record ModelReplicas(List<Device> devices, List<NDManager> managers, List<Gpt2Model> models)
    implements AutoCloseable {
  Gpt2Model first() {
    return models.get(0);
  }

  @Override
  public void close() {
    models.forEach(Gpt2Model::close);
    managers.forEach(NDManager::close);
  }
}
