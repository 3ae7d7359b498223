package io.llmft.scoring.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.contract.ScoringJob.Judge;
import io.llmft.scoring.config.JudgeConfig;
import jakarta.inject.Singleton;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Asks an Ollama server at {@code /api/chat}, as the book's {@code query_model} does, and joins the
 * answer (newline-delimited JSON when streamed, one object when not), within {@code
 * judge.call-timeout} and {@code judge.max-answer-chars}.
 */
@Singleton
public class OllamaJudge {
  private final ObjectMapper mapper;
  private final JudgeConfig config;
  private final JudgeClients clients;

  public OllamaJudge(ObjectMapper mapper, JudgeConfig config, JudgeClients clients) {
    this.mapper = mapper;
    this.config = config;
    this.clients = clients;
  }

  /**
   * @param format the JSON schema the answer must follow, or null for free text
   * @return the joined {@code message.content}
   * @throws JudgeException when the server cannot be reached, answers with an HTTP error, sends an
   *     error line or misses the deadline
   */
  public String ask(Judge judge, String prompt, JsonNode format) {
    String who = "the Ollama judge at " + judge.url();
    Answer answer = new Answer(who, config.maxAnswerChars(), config.callTimeout());
    InputStream body;
    try {
      body =
          clients
              .client(judge.url(), OllamaClient.class)
              .chat(ChatRequest.book(judge.model(), prompt, format, judge.stream()));
    } catch (RuntimeException e) {
      throw JudgeClients.failed(who, e);
    }
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        answer.checkDeadline();
        if (line.isBlank()) {
          continue;
        }
        JsonNode json = mapper.readTree(line);
        if (json.hasNonNull("error")) {
          throw JudgeException.unavailable(
              who + " reported an error: " + json.get("error").asText(), null);
        }
        if (answer.append(json.path("message").path("content").asText(""))
            || json.path("done").asBoolean(false)) {
          break;
        }
      }
    } catch (JudgeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw JudgeClients.unreadable(who, e);
    }
    return answer.text();
  }
}
