package io.llmft.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.KafkaTestClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;

/** The services' REST APIs as the process tests call them: JSON in, JSON out, polling. */
final class JobsApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The operator key the process tests' services accept (freshOptions gives it to them). */
  static final String KEY = "process-test-operator-key-0123456789";

  static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

  private JobsApi() {}

  /** POSTs a job and expects 202. */
  static void post(String url, String body) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + KEY)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new AssertionError(
          "POST " + url + " answered " + response.statusCode() + ": " + response.body());
    }
  }

  /** The document, or null when it does not exist (yet) or the service does not answer. */
  static JsonNode get(String url) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + KEY)
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode await(String url, Predicate<JsonNode> until, Duration timeout)
      throws InterruptedException {
    Instant end = Instant.now().plus(timeout);
    JsonNode last = null;
    while (Instant.now().isBefore(end)) {
      JsonNode now = get(url);
      if (now != null) {
        last = now;
        if (until.test(now)) {
          return now;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out waiting on " + url + "; last: " + last);
  }

  static JsonNode awaitEnd(String url, Duration timeout) throws InterruptedException {
    return await(url, j -> ENDED.contains(status(j)), timeout);
  }

  /** A job-events record that announces a status (not a progress event, which has "progress"). */
  static boolean isStatusChange(String event, String status) {
    try {
      JsonNode e = JSON.readTree(event);
      return status.equals(e.path("status").asText()) && !e.has("progress");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Waits until the consumer group is stable with {@code members} members that each hold
   * partitions: replicas that are serving, not still joining (a job started before a replica joins
   * moves to it, stopped and resumed, which is correct but not what a test of steady ownership
   * wants to see).
   */
  static void awaitGroup(String bootstrap, String group, int members, Duration timeout)
      throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      Instant end = Instant.now().plus(timeout);
      while (Instant.now().isBefore(end)) {
        ConsumerGroupDescription d =
            admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
        if (d.groupState() == GroupState.STABLE
            && d.members().size() == members
            && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
          return;
        }
        Thread.sleep(200);
      }
    }
    throw new AssertionError(group + " did not settle with " + members + " members");
  }

  /** Asserts that job-events announced each job as RUNNING exactly once (progress aside). */
  static void assertOneRunningEventEach(List<String> jobIds) {
    Map<String, Long> running =
        KafkaTestClient.readUntil("job-events", r -> false, Duration.ofSeconds(5)).stream()
            .filter(r -> jobIds.contains(r.key()) && isStatusChange(r.value(), "RUNNING"))
            .collect(Collectors.groupingBy(r -> r.key(), Collectors.counting()));
    for (String id : jobIds) {
      if (!Long.valueOf(1).equals(running.get(id))) {
        throw new AssertionError("RUNNING events of " + id + ": " + running.get(id));
      }
    }
  }

  static String status(JsonNode job) {
    return job.path("status").asText();
  }

  /** Options for a process test over {@code artifacts}, emptied first. */
  static RunnerOptions freshOptions(String artifacts) throws IOException {
    RunnerOptions options = RunnerOptions.parse("--repository", "..", "--artifacts", artifacts);
    options.apiKey = KEY;
    deleteRecursively(options.artifacts);
    return options;
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
