package io.llmft.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

/** The runner's calls of the services' REST APIs, with its key. */
final class ServiceCalls {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String apiKey;

  ServiceCalls(String apiKey) {
    this.apiKey = apiKey;
  }

  /** The JSON at {@code url}, or null when it does not answer 200. */
  JsonNode json(String url) throws IOException, InterruptedException {
    String body = text(url, "application/json");
    return body == null ? null : JSON.readTree(body);
  }

  /** The body at {@code url} as {@code accept}, or null when it does not answer 200. */
  String text(String url, String accept) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + apiKey)
                .header("Accept", accept)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? r.body() : null;
  }

  /** The JSON at {@code url} once {@code until} holds, or the last answer after {@code timeout}. */
  JsonNode await(String url, Predicate<JsonNode> until, Duration timeout)
      throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    JsonNode last = json(url);
    while ((last == null || !until.test(last)) && Instant.now().isBefore(deadline)) {
      Thread.sleep(200);
      last = json(url);
    }
    return last;
  }
}
