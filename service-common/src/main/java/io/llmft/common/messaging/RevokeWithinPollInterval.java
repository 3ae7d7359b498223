package io.llmft.common.messaging;

import io.llmft.common.config.JobsConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A revoke waits up to {@code jobs.stop-grace} for the jobs of the revoked partitions, inside the
 * consumer's rebalance callback, where the consumer does not poll. Past {@code
 * max.poll.interval.ms} the broker drops the consumer from the group and hands every partition of
 * it on while its jobs still run: two writers until the grace fences them. So a service does not
 * start where its grace and a margin do not fit in the poll interval of every job channel.
 */
@ApplicationScoped
public class RevokeWithinPollInterval {
  /** Kafka's default {@code max.poll.interval.ms}. */
  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMinutes(5);

  /** What a revoke does besides waiting for its jobs (saving documents, the next poll). */
  static final Duration MARGIN = Duration.ofSeconds(30);

  private static final Pattern JOB_CHANNEL =
      Pattern.compile("mp\\.messaging\\.incoming\\.([^.]+)\\.consumer-rebalance-listener\\.name");

  void onStart(@Observes StartupEvent event, JobsConfig jobs) {
    List<String> conflicts = conflicts(ConfigProvider.getConfig(), jobs.stopGrace());
    if (!conflicts.isEmpty()) {
      throw new IllegalStateException(String.join("; ", conflicts));
    }
  }

  /** Each job channel whose poll interval is too short for {@code stopGrace}, said plainly. */
  static List<String> conflicts(Config config, Duration stopGrace) {
    List<String> conflicts = new ArrayList<>();
    for (String name : config.getPropertyNames()) {
      Matcher m = JOB_CHANNEL.matcher(name);
      if (!m.matches()
          || !JobPartitionListener.NAME.equals(
              config.getOptionalValue(name, String.class).orElse(""))) {
        continue;
      }
      String key = "mp.messaging.incoming." + m.group(1) + ".max.poll.interval.ms";
      Duration poll =
          config
              .getOptionalValue(key, Long.class)
              .map(Duration::ofMillis)
              .orElse(DEFAULT_POLL_INTERVAL);
      if (stopGrace.plus(MARGIN).compareTo(poll) > 0) {
        conflicts.add(
            "jobs.stop-grace ("
                + stopGrace.toSeconds()
                + " s) and a margin of "
                + MARGIN.toSeconds()
                + " s must fit in "
                + key
                + " ("
                + poll.toSeconds()
                + " s): raise the poll interval or lower the grace, or a slow revoke gives a job"
                + " two writers");
      }
    }
    return conflicts;
  }
}
