package io.llmft.scoring.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.scoring.config.JudgeConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import jakarta.ws.rs.WebApplicationException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Asks an Ollama server, as the book's {@code query_model} does, and joins the streamed answer,
 * within {@code judge.call-timeout} and {@code judge.max-answer-chars}. Failures say whether a
 * retry can help ({@link JudgeException#retryable()}).
 */
@Singleton
public class OllamaJudge {
  private final ObjectMapper mapper;
  private final JudgeConfig config;
  private final JudgeUrls judges;

  /** One client per judge URL; as many as the allow-list has entries, closed at shutdown. */
  private final Map<String, OllamaClient> clients = new ConcurrentHashMap<>();

  public OllamaJudge(ObjectMapper mapper, JudgeConfig config, JudgeUrls judges) {
    this.mapper = mapper;
    this.config = config;
    this.judges = judges;
  }

  @PreDestroy
  void close() {
    clients.values().forEach(OllamaJudge::close);
    clients.clear();
  }

  private static void close(OllamaClient client) {
    if (client instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // closing at shutdown: nothing left to do
      }
    }
  }

  /** The client of an allowed judge, checked once per URL (the allow-list is fixed at start). */
  private OllamaClient client(String url) {
    return clients.computeIfAbsent(url, this::newClient);
  }

  private OllamaClient newClient(String url) {
    if (!judges.admits(url)) {
      // a job stored before the allow-list changed: refused, not retried
      throw JudgeException.rejected(
          "the judge at " + url + " is not one this service may call (JUDGE_ALLOWED_URLS)", null);
    }
    return QuarkusRestClientBuilder.newBuilder()
        .baseUri(URI.create(url))
        .connectTimeout(10, TimeUnit.SECONDS)
        .readTimeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .build(OllamaClient.class);
  }

  /**
   * @return the concatenated {@code message.content} of the streamed lines, cut at {@code
   *     judge.max-answer-chars}
   * @throws JudgeException when the server cannot be reached, answers with an HTTP error, streams
   *     an error line or misses the deadline
   */
  public String ask(String url, String model, String prompt) {
    long deadline = System.nanoTime() + config.callTimeout().toNanos();
    OllamaClient client = client(url);
    InputStream body;
    try {
      body = client.chat(ChatRequest.book(model, prompt));
    } catch (WebApplicationException e) {
      int status = e.getResponse().getStatus();
      String message =
          "the Ollama judge at " + url + " answered HTTP " + status + " (" + e.getMessage() + ")";
      throw status >= 500 || status == 408 || status == 429
          ? JudgeException.unavailable(message, e)
          : JudgeException.rejected(message, e);
    } catch (RuntimeException e) {
      throw JudgeException.unavailable(
          "the Ollama judge at " + url + " could not be asked (" + e.getMessage() + ")", e);
    }
    StringBuilder answer = new StringBuilder();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (System.nanoTime() > deadline) {
          throw JudgeException.unavailable(
              "the Ollama judge at "
                  + url
                  + " did not finish its answer within "
                  + config.callTimeout(),
              null);
        }
        if (line.isBlank()) {
          continue;
        }
        JsonNode json = mapper.readTree(line);
        if (json.hasNonNull("error")) {
          throw JudgeException.unavailable(
              "the Ollama judge at " + url + " reported an error: " + json.get("error").asText(),
              null);
        }
        answer.append(json.path("message").path("content").asText(""));
        if (json.path("done").asBoolean(false) || answer.length() >= config.maxAnswerChars()) {
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof JudgeException judge) {
        throw judge;
      }
      throw JudgeException.unavailable(
          "the answer of the Ollama judge at " + url + " could not be read: " + e.getMessage(), e);
    }
    return answer.length() > config.maxAnswerChars()
        ? answer.substring(0, config.maxAnswerChars())
        : answer.toString();
  }
}
