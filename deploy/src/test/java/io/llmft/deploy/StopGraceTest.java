package io.llmft.deploy;

import static io.llmft.deploy.Repo.at;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * A stopping instance waits {@code jobs.stop-grace} for its jobs: compose's {@code
 * stop_grace_period} and the pod's {@code terminationGracePeriodSeconds} leave it that time and
 * more, and the job channel's {@code max.poll.interval.ms} outlasts a revoke that waits that long
 * (what RevokeWithinPollInterval checks at start-up).
 */
class StopGraceTest {
  /** Time a stopping instance needs besides its jobs (saving documents, closing Kafka). */
  private static final Duration SHUTDOWN = Duration.ofSeconds(20);

  private static final Duration POLL_MARGIN = Duration.ofSeconds(30);

  private static Properties properties(String module) {
    Properties p = new Properties();
    try (InputStream in =
        Files.newInputStream(
            Repo.ROOT.resolve(module).resolve("src/main/resources/application.properties"))) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  private static Duration stopGrace(Properties p) {
    String grace = p.getProperty("jobs.stop-grace", "25s"); // JobsConfig's default
    return Duration.parse("PT" + grace.toUpperCase());
  }

  /** Compose's duration form: 1m30s, 40s, 10m. */
  private static Duration composeDuration(String value) {
    return Duration.parse("PT" + value.toUpperCase());
  }

  @Test
  void composeAndKubernetesWaitLongerThanEachServicesStopGrace() {
    Map<String, Object> compose =
        Repo.yamlDocuments(Repo.ROOT.resolve("docker-compose.yml")).get(0);
    List<Map<String, Object>> k8s = Repo.kustomizationResources(Repo.ROOT.resolve("deploy/k8s"));
    for (Repo.Service s : Repo.SERVICES) {
      Duration needed = stopGrace(properties(s.module())).plus(SHUTDOWN);
      Object period = at(compose, "services", s.name(), "stop_grace_period");
      assertNotNull(period, s.name() + ": compose's default of 10 s is shorter than its grace");
      assertTrue(
          composeDuration(period.toString()).compareTo(needed) >= 0,
          s.name() + ": stop_grace_period " + period + " < " + needed);
      Map<String, Object> deployment =
          k8s.stream()
              .filter(d -> "Deployment".equals(d.get("kind")))
              .filter(d -> s.name().equals(at(d, "metadata", "name")))
              .findFirst()
              .orElseThrow();
      Integer seconds = at(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds");
      assertNotNull(seconds, s.name() + ": Kubernetes' default of 30 s is too short");
      assertTrue(
          Duration.ofSeconds(seconds).compareTo(needed) >= 0,
          s.name() + ": terminationGracePeriodSeconds " + seconds + " < " + needed);
    }
  }

  @Test
  void eachJobChannelsPollIntervalOutlastsARevoke() {
    for (Repo.Service s : Repo.SERVICES) {
      Properties p = properties(s.module());
      for (String key : p.stringPropertyNames()) {
        if (!key.endsWith(".consumer-rebalance-listener.name")) {
          continue;
        }
        String poll = key.replace(".consumer-rebalance-listener.name", ".max.poll.interval.ms");
        Duration interval = Duration.ofMillis(Long.parseLong(p.getProperty(poll, "300000")));
        assertTrue(
            interval.compareTo(stopGrace(p).plus(POLL_MARGIN)) >= 0,
            s.name() + ": " + poll + " " + interval + " does not outlast a revoke");
      }
    }
  }
}
