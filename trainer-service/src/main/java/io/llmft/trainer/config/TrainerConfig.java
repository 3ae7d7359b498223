package io.llmft.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;

/** The trainer's settings (env {@code TRAINER_*}). */
@ConfigMapping(prefix = "trainer")
public interface TrainerConfig {
  /**
   * Optimizer steps between the checkpoints (trainable weights, AdamW state, loop position) that a
   * job resumes from after a restart; a job's {@code checkpointEvery} overrides it. A stopping
   * trainer also writes one at the step it stops after.
   */
  @WithDefault("50")
  @Min(1)
  int checkpointEvery();

  /** How many of the GPUs DJL finds a job trains on, data parallel; 0 = all of them. */
  @WithDefault("0")
  @Min(0)
  int maxDevices();
}
