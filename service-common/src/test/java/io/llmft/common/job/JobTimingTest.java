package io.llmft.common.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The time left is the time so far scaled by what is left of the job, at every point of it. */
class JobTimingTest {
  private static final JobTiming.Throughput TOKENS = new JobTiming.Throughput(2_000, "tokens/s");

  @Test
  void aQuarterDoneAfterTenSecondsHasThirtyLeft() {
    JobTiming t = JobTiming.of(Instant.now().minusSeconds(10), 0.25, TOKENS);
    assertEquals(10, t.elapsedSeconds(), 0.5);
    assertEquals(30, t.etaSeconds(), 1.5);
    assertEquals(200, t.rate(), 10);
    assertEquals("tokens/s", t.rateUnit());
  }

  @Test
  void threeQuartersDoneHasAThirdOfTheTimeSoFarLeft() {
    JobTiming t = JobTiming.of(Instant.now().minusSeconds(60), 0.75, TOKENS);
    assertEquals(20, t.etaSeconds(), 1.5);
  }

  @Test
  void noEstimateBeforeAnythingIsDoneAndNoneLeftAtTheEnd() {
    Instant started = Instant.now().minusSeconds(5);
    assertNull(JobTiming.of(started, 0.0, TOKENS).etaSeconds());
    assertNull(JobTiming.of(started, null, TOKENS).etaSeconds());
    assertEquals(0, JobTiming.of(started, 1.0, TOKENS).etaSeconds(), 0);
  }

  @Test
  void aResumedRunKeepsItsFirstStart() {
    Instant started = Instant.now().minusSeconds(100);
    JobTiming first = JobTiming.of(started, 0.5, TOKENS);
    JobTiming resumed = JobTiming.next(first, 0.6, TOKENS);
    assertEquals(started, resumed.startedAt());
    assertEquals(100 * 0.4 / 0.6, resumed.etaSeconds(), 1.5);
  }
}
