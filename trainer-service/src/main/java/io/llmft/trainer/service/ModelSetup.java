package io.llmft.trainer.service;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.llmft.common.job.JobControl;
import io.llmft.contract.LoraSpec;
import io.llmft.contract.TrainingJob;
import io.llmft.core.engine.DjlRuntime;
import io.llmft.core.model.Gpt2Model;
import io.llmft.trainer.config.TrainerConfig;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The model a job trains: its base weights on every device the trainer may use ({@code
 * trainer.max-devices}), one replica each, with the job's precision and, for LoRA, its adapters.
 */
@Singleton
public class ModelSetup {
  private final BaseModels baseModels;
  private final TrainingJobRules rules;
  private final TrainerConfig config;

  public ModelSetup(BaseModels baseModels, TrainingJobRules rules, TrainerConfig config) {
    this.baseModels = baseModels;
    this.rules = rules;
    this.config = config;
  }

  /**
   * @param downloadNote told about retried downloads of pretrained weights
   */
  ModelReplicas replicas(TrainingJob job, Consumer<String> downloadNote, JobControl control)
      throws Exception {
    List<Device> devices = DjlRuntime.trainingDevices(config.maxDevices());
    List<NDManager> managers = new ArrayList<>();
    List<Gpt2Model> models = new ArrayList<>();
    ModelReplicas replicas = new ModelReplicas(devices, managers, models);
    try {
      LoraSpec lora = job.lora();
      for (Device device : devices) {
        NDManager manager = NDManager.newBaseManager(device);
        managers.add(manager);
        Gpt2Model.Builder replica =
            Gpt2Model.builder(baseModels.load(job.baseModel(), manager, downloadNote, control))
                .precision(rules.precision(job));
        if (lora != null) {
          replica.lora(lora.rank(), (float) lora.alpha(), rules.settings(job).seed());
        }
        models.add(replica.build());
      }
      return replicas;
    } catch (Exception | Error e) {
      replicas.close();
      throw e;
    }
  }
}
