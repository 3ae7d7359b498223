package io.llmft.scoring.client;

import io.llmft.scoring.config.JudgeConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import jakarta.ws.rs.WebApplicationException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The REST clients of the judges, one per API and URL (as many as the allow-list has entries), each
 * checked against the allow-list once and closed at shutdown; and what their failures mean.
 */
@Singleton
public class JudgeClients {
  private final JudgeConfig config;
  private final JudgeUrls judges;
  private final Map<String, Object> clients = new ConcurrentHashMap<>();

  public JudgeClients(JudgeConfig config, JudgeUrls judges) {
    this.config = config;
    this.judges = judges;
  }

  @PreDestroy
  void close() {
    clients.values().forEach(JudgeClients::close);
    clients.clear();
  }

  private static void close(Object client) {
    if (client instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // closing at shutdown: nothing left to do
      }
    }
  }

  <T> T client(String url, Class<T> api) {
    return api.cast(clients.computeIfAbsent(api.getName() + " " + url, k -> newClient(url, api)));
  }

  private <T> T newClient(String url, Class<T> api) {
    if (!judges.admits(url)) {
      // a job stored before the allow-list changed: refused, not retried
      throw JudgeException.rejected(
          "the judge at " + url + " is not one this service may call (JUDGE_ALLOWED_URLS)", null);
    }
    return QuarkusRestClientBuilder.newBuilder()
        .baseUri(URI.create(url))
        .connectTimeout(10, TimeUnit.SECONDS)
        .readTimeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .build(api);
  }

  /** A failed request: a 5xx, 408 or 429 may pass on a retry; any other status will not. */
  static JudgeException failed(String judge, RuntimeException e) {
    if (e instanceof WebApplicationException web) {
      int status = web.getResponse().getStatus();
      String message = judge + " answered HTTP " + status + " (" + e.getMessage() + ")";
      return status >= 500 || status == 408 || status == 429
          ? JudgeException.unavailable(message, e)
          : JudgeException.rejected(message, e);
    }
    if (e instanceof JudgeException judgeException) {
      return judgeException;
    }
    return JudgeException.unavailable(judge + " could not be asked (" + e.getMessage() + ")", e);
  }

  /** An answer that broke off or was not the API's JSON: a retry may get a whole one. */
  static JudgeException unreadable(String judge, Exception e) {
    return JudgeException.unavailable(
        "the answer of " + judge + " could not be read: " + e.getMessage(), e);
  }
}
