package io.llmft.scoring.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.inject.Singleton;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Asks an Ollama server, as the book's {@code query_model} does, and joins the streamed answer. */
@Singleton
public class OllamaJudge {
  private final ObjectMapper mapper;
  private final Map<String, OllamaClient> clients = new ConcurrentHashMap<>();

  public OllamaJudge(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  private OllamaClient client(String url) {
    return clients.computeIfAbsent(
        url,
        u ->
            QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(u))
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(10, TimeUnit.MINUTES)
                .build(OllamaClient.class));
  }

  /**
   * @return the concatenated {@code message.content} of every streamed line
   * @throws JudgeException when the server cannot be reached, answers with an HTTP error, or
   *     streams an error line
   */
  public String ask(String url, String model, String prompt) {
    InputStream body;
    try {
      body = client(url).chat(ChatRequest.book(model, prompt));
    } catch (RuntimeException e) {
      throw new JudgeException(
          "the Ollama judge at " + url + " could not be asked (" + e.getMessage() + ")", e);
    }
    StringBuilder answer = new StringBuilder();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode json = mapper.readTree(line);
        if (json.hasNonNull("error")) {
          throw new JudgeException(
              "the Ollama judge at " + url + " reported an error: " + json.get("error").asText());
        }
        answer.append(json.path("message").path("content").asText(""));
        if (json.path("done").asBoolean(false)) {
          break;
        }
      }
    } catch (IOException e) {
      throw new JudgeException(
          "the answer of the Ollama judge at " + url + " could not be read: " + e.getMessage(), e);
    }
    return answer.toString();
  }
}
