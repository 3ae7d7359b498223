package io.llmft.trainer.service;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.llmft.common.job.JobControl;
import io.llmft.contract.LoraSpec;
import io.llmft.contract.TrainingJob;
import io.llmft.models.LanguageModel;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.text.Tokenizer;
import io.llmft.trainer.config.TrainerConfig;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The model a job trains: its base weights on every device the trainer may use ({@code
 * trainer.max-devices}), one replica each, with the job's precision and, for LoRA, its adapters;
 * for DPO also the frozen reference on each of those devices.
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
    List<LanguageModel> models = new ArrayList<>();
    List<LanguageModel> references = new ArrayList<>();
    Tokenizer tokenizer = null;
    try {
      LoraSpec lora = job.lora();
      io.llmft.models.LoraSpec adapters =
          lora == null
              ? null
              : new io.llmft.models.LoraSpec(
                  lora.rank(), (float) lora.alpha(), rules.settings(job).seed());
      for (Device device : devices) {
        NDManager manager = NDManager.newBaseManager(device);
        managers.add(manager);
        BaseModels.BaseModel base =
            baseModels.load(job.baseModel(), manager, tokenizer == null, downloadNote, control);
        if (tokenizer == null) {
          tokenizer = base.tokenizer();
        }
        models.add(base.weights().build(rules.precision(job), adapters));
      }
      if (job.isDpo()) {
        // the frozen reference on every device: the base model unless the job names another
        for (NDManager manager : managers) {
          references.add(
              baseModels
                  .load(
                      job.referenceModel() != null ? job.referenceModel() : job.baseModel(),
                      manager,
                      false,
                      downloadNote,
                      control)
                  .weights()
                  .build(rules.precision(job), io.llmft.models.Adapter.NONE));
        }
      }
      return new ModelReplicas(devices, managers, models, tokenizer, references);
    } catch (Exception | Error e) {
      new ModelReplicas(devices, managers, models, tokenizer, references).close();
      throw e;
    }
  }
}
