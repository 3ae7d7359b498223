package io.llmft.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llmft.training.LearningRateSchedule.Decay;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
  @Test
  void constantIsTheBookChapterSeven() {
    LearningRateSchedule s = LearningRateSchedule.constant(5e-5);
    assertEquals(5e-5, s.at(0, 10));
    assertEquals(5e-5, s.at(9, 10));
  }

  @Test
  void warmupClimbsLinearlyToThePeak() {
    LearningRateSchedule s = new LearningRateSchedule(1e-3, 4, Decay.NONE);
    assertEquals(0.25e-3, s.at(0, 100), 1e-15);
    assertEquals(0.5e-3, s.at(1, 100), 1e-15);
    assertEquals(1e-3, s.at(3, 100), 1e-15);
    assertEquals(1e-3, s.at(50, 100), 1e-15);
  }

  @Test
  void cosineDecaysFromThePeakToATenthAtTheLastStep() {
    LearningRateSchedule s = new LearningRateSchedule(1e-3, 10, Decay.COSINE);
    assertEquals(1e-3, s.at(10, 111), 1e-15);
    assertEquals(0.55e-3, s.at(60, 111), 1e-15); // half way: the mean of peak and floor
    assertEquals(1e-4, s.at(110, 111), 1e-15);
    assertEquals(1e-4, s.at(200, 111), 1e-15); // past the end (maxSteps larger): stays at the floor
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(0, 0, Decay.NONE));
    assertThrows(
        IllegalArgumentException.class, () -> new LearningRateSchedule(1e-3, -1, Decay.NONE));
    assertEquals(Decay.COSINE, Decay.fromId("cosine"));
    assertEquals("cosine", Decay.COSINE.id());
  }
}
