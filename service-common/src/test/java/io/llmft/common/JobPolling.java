package io.llmft.common;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.restassured.response.Response;
import java.time.Duration;
import java.util.Set;

/** Waits for a job resource to end, for tests of every service. */
public final class JobPolling {
  private static final Set<String> UNFINISHED = Set.of("PENDING", "RUNNING");

  private JobPolling() {}

  /**
   * Polls {@code GET path} until the job's status is neither PENDING nor RUNNING; a 404 (a job
   * published to Kafka and not yet accepted) counts as unfinished.
   *
   * @return the final status
   */
  public static String awaitEnd(String path, Duration timeout) {
    return await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Response r = given().get(path);
              return r.statusCode() == 200 ? r.path("status") : "PENDING";
            },
            status -> !UNFINISHED.contains(status));
  }
}
