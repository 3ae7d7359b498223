package io.llmft.scoring.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.scoring.config.JudgeConfig;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Posts a judge's requests (only to the URLs of the allow-list) with the JDK's HTTP client, which
 * can be stopped mid-call: interrupting the calling thread ends a wait for the answer, and closing
 * an answer before its end closes its connection, so that the judge stops generating it. And what
 * the failures of a call mean.
 */
@Singleton
public class JudgeClients {
  /** The most of an error body quoted in a failure. */
  private static final int ERROR_CHARS = 500;

  private final JudgeConfig config;
  private final JudgeUrls judges;
  private final ObjectMapper mapper;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  public JudgeClients(JudgeConfig config, JudgeUrls judges, ObjectMapper mapper) {
    this.config = config;
    this.judges = judges;
    this.mapper = mapper;
  }

  /**
   * POSTs {@code request} as JSON to {@code url + path}.
   *
   * @param authorization the Authorization header, or null for none
   * @return the answer's body, as it arrives
   * @throws JudgeException for a URL off the allow-list (a job stored before the list changed: not
   *     retried) or an HTTP error status
   * @throws IOException when the judge cannot be reached or does not answer in time
   * @throws InterruptedException when the calling thread is interrupted
   */
  InputStream post(String who, String url, String path, String authorization, Object request)
      throws IOException, InterruptedException {
    if (!judges.admits(url)) {
      throw JudgeException.rejected(
          "the judge at " + url + " is not one this service may call (JUDGE_ALLOWED_URLS)", null);
    }
    HttpRequest.Builder call =
        HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
            .timeout(config.callTimeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(request)));
    if (authorization != null) {
      call.header("Authorization", authorization);
    }
    HttpResponse<InputStream> answer =
        http.send(call.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (answer.statusCode() >= 300) {
      String body;
      try (InputStream error = answer.body()) {
        body = new String(error.readNBytes(ERROR_CHARS), StandardCharsets.UTF_8);
      }
      throw status(who, answer.statusCode(), body);
    }
    return answer.body();
  }

  /** An HTTP error: a 5xx, 408 or 429 may pass on a retry; any other status will not. */
  static JudgeException status(String judge, int status, String body) {
    String message = judge + " answered HTTP " + status + " (" + body.strip() + ")";
    return status >= 500 || status == 408 || status == 429
        ? JudgeException.unavailable(message, null)
        : JudgeException.rejected(message, null);
  }

  /** A request that failed before an answer came: a retry may pass. */
  static JudgeException failed(String judge, Exception e) {
    return JudgeException.unavailable(judge + " could not be asked (" + e + ")", e);
  }

  /** An answer that broke off or was not the API's JSON: a retry may get a whole one. */
  static JudgeException unreadable(String judge, Exception e) {
    return JudgeException.unavailable(
        "the answer of " + judge + " could not be read: " + e.getMessage(), e);
  }
}
