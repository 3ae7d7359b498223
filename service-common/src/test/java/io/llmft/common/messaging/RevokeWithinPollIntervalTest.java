package io.llmft.common.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/** A stop grace that does not fit in a job channel's poll interval is refused, naming both. */
class RevokeWithinPollIntervalTest {
  private static Config config(Map<String, String> properties) {
    return new SmallRyeConfigBuilder()
        .withSources(new PropertiesConfigSource(properties, "test", 500))
        .build();
  }

  private static final String LISTENER =
      "mp.messaging.incoming.training-jobs.consumer-rebalance-listener.name";

  @Test
  void theTrainersOldGraceOutlastsKafkasDefaultPollInterval() {
    List<String> conflicts =
        RevokeWithinPollInterval.conflicts(
            config(Map.of(LISTENER, "job-ownership")), Duration.ofSeconds(540));
    assertEquals(1, conflicts.size());
    assertTrue(
        conflicts
            .get(0)
            .contains("mp.messaging.incoming.training-jobs.max.poll.interval.ms (300 s)"),
        conflicts.get(0));
  }

  @Test
  void aPollIntervalAboveTheGraceAndItsMarginIsAccepted() {
    assertEquals(
        List.of(),
        RevokeWithinPollInterval.conflicts(
            config(
                Map.of(
                    LISTENER,
                    "job-ownership",
                    "mp.messaging.incoming.training-jobs.max.poll.interval.ms",
                    "600000")),
            Duration.ofSeconds(540)));
    assertEquals(
        List.of(),
        RevokeWithinPollInterval.conflicts(
            config(Map.of(LISTENER, "job-ownership")), Duration.ofSeconds(25)));
  }

  @Test
  void channelsWithoutTheJobOwnershipListenerAreNotJobChannels() {
    assertEquals(
        List.of(),
        RevokeWithinPollInterval.conflicts(
            config(Map.of(LISTENER, "something-else")), Duration.ofSeconds(540)));
  }
}
