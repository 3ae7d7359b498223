package io.llmft.common.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.llmft.common.KafkaTestClient;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.UUID;

/**
 * The input part of the security corpus: a job body that must be refused, sent as a POST (a 4xx
 * problem naming the field, no job created) and, where it parses as a job message, as a Kafka
 * message (it must land in the stage's DLQ with its reason, and create no job either). Bodies are
 * templates: {@code %ID%} becomes a fresh job id.
 */
public final class InputCorpus {
  /** The numbers every numeric field is tried with. */
  public static final String[] NUMBERS = {"-1", "0", "2147483647", "1e308"};

  private final String collection;
  private final String topic;
  private int cases;

  public InputCorpus(String collection, String topic) {
    this.collection = collection;
    this.topic = topic;
  }

  /** How many cases were sent, REST and Kafka counted once each. */
  public int cases() {
    return cases;
  }

  /** Refused over REST with 400 naming {@code field} (or with no field when it is null). */
  public String refusedOverRest(String template, String field) {
    return refusedOverRest(template, field, 400);
  }

  public String refusedOverRest(String template, String field, int status) {
    String id = "corpus-" + UUID.randomUUID();
    ValidatableResponse r =
        given()
            .contentType("application/json")
            .body(template.replace("%ID%", id))
            .when()
            .post(collection)
            .then()
            .log()
            .ifValidationFails()
            .statusCode(status)
            .contentType("application/problem+json")
            .body("status", equalTo(status));
    if (field != null) {
      r.body("errors.field", hasItem(field));
    }
    given().when().get(collection + "/" + id).then().statusCode(404);
    cases++;
    return id;
  }

  /** Refused over REST, and the same body as a Kafka message lands in the DLQ. */
  public void refused(String template, String field) {
    refusedOverRest(template, field);
    String id = "corpus-kafka-" + UUID.randomUUID();
    KafkaTestClient.send(topic, id, template.replace("%ID%", id));
    var dead =
        KafkaTestClient.await(topic + "-dlq", rec -> id.equals(rec.key()), Duration.ofSeconds(30));
    assertNotNull(KafkaTestClient.header(dead, "dead-letter-reason"), "reason of " + id);
    given().when().get(collection + "/" + id).then().statusCode(404);
    cases++;
  }

  /** Every value of {@link #NUMBERS} but the {@code legal} ones, in place of {@code %N%}. */
  public void numbers(String template, String field, String... legal) {
    java.util.Set<String> ok = java.util.Set.of(legal);
    for (String n : NUMBERS) {
      if (!ok.contains(n)) {
        refused(template.replace("%N%", n), field);
      }
    }
  }

  /**
   * A body over the tests' 4 MiB limit gets a 413 problem. Sent as a client that waits for
   * 100-continue, so the refusal arrives before the body would flow.
   */
  public void bodyOverTheLimitIs413() throws Exception {
    byte[] body = new byte[5 * 1024 * 1024];
    java.util.Arrays.fill(body, (byte) ' ');
    var response =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            io.restassured.RestAssured.baseURI
                                + ":"
                                + io.restassured.RestAssured.port
                                + collection))
                    .version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .expectContinue(true)
                    .header("Content-Type", "application/json")
                    .header(
                        "Authorization",
                        io.llmft.common.TestAuth.bearer(io.llmft.common.TestAuth.OPERATOR_KEY))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    org.junit.jupiter.api.Assertions.assertEquals(413, response.statusCode(), response.body());
    cases++;
  }

  /** A JSON value nested {@code depth} arrays deep. */
  public static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }
}
