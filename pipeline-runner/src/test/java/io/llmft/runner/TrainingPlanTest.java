package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.contract.ModelRef;
import io.llmft.contract.TrainingJob;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingPlanTest {
  @Test
  void aRealGpt2IsFinetunedWithTheBooksSettings() {
    TrainingPlan plan = TrainingPlan.of(RunnerOptions.parse("--base-model", "/models/gpt2-medium"));
    TrainingJob job = plan.job(null);
    assertTrue(job.baseModel() instanceof ModelRef.LocalPath);
    assertEquals(2, job.epochs());
    assertEquals(5e-5, job.learningRate());
    assertEquals(5, job.evalFreq());
    assertNull(job.warmupSteps());
    assertNull(job.lrDecay());
    assertEquals(List.of(), plan.differences());
  }

  @Test
  void theRandomInitDemoGetsFromScratchSettingsAndSaysWhy() {
    TrainingPlan plan = TrainingPlan.of(RunnerOptions.parse());
    TrainingJob job = plan.job(null);
    assertTrue(job.baseModel() instanceof ModelRef.RandomInit);
    assertEquals(TrainingPlan.FROM_SCRATCH_EPOCHS, job.epochs());
    assertEquals(TrainingPlan.FROM_SCRATCH_LEARNING_RATE, job.learningRate());
    assertEquals(TrainingPlan.FROM_SCRATCH_WARMUP_STEPS, job.warmupSteps());
    assertEquals("cosine", job.lrDecay());
    assertEquals(
        List.of("learningRate", "warmupSteps", "lrDecay", "epochs", "evalFreq"),
        plan.differences().stream().map(TrainingPlan.Difference::name).toList());
    plan.differences()
        .forEach(d -> assertTrue(!d.why().isBlank() && !d.book().isBlank(), d.name()));
  }

  @Test
  void optionsOverrideEitherDefault() {
    TrainingPlan plan =
        TrainingPlan.of(
            RunnerOptions.parse(
                "--learning-rate",
                "2e-4",
                "--epochs",
                "2",
                "--eval-freq",
                "5",
                "--warmup-steps",
                "0",
                "--lr-decay",
                "none"));
    assertEquals(2e-4, plan.job(null).learningRate());
    assertEquals(
        List.of("learningRate"),
        plan.differences().stream().map(TrainingPlan.Difference::name).toList());
  }
}
