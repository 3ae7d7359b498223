package io.llmft.scoring.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.contract.ScoringJob.Judge;
import jakarta.inject.Singleton;
import java.io.BufferedReader;

/**
 * Asks an Ollama server at {@code /api/chat}, as the book's {@code query_model} does, and joins the
 * answer (newline-delimited JSON when streamed, one object when not), within {@code
 * judge.call-timeout} over the whole call, {@code judge.max-answer-bytes} of body and {@code
 * judge.max-answer-chars} of answer.
 */
@Singleton
public class OllamaJudge {
  private final ObjectMapper mapper;
  private final JudgeClients clients;
  private final CallsInFlight calls;

  public OllamaJudge(ObjectMapper mapper, JudgeClients clients, CallsInFlight calls) {
    this.mapper = mapper;
    this.clients = clients;
    this.calls = calls;
  }

  /**
   * @param format the JSON schema the answer must follow, or null for free text
   * @return the joined {@code message.content}
   * @throws JudgeException when the server cannot be reached, answers with an HTTP error, sends an
   *     error line or misses the deadline
   */
  public String ask(Judge judge, String prompt, JsonNode format) {
    String who = "the Ollama judge at " + judge.url();
    try (Answer answer = calls.open(who)) {
      return answer.collect(
          () -> {
            try (BufferedReader lines =
                answer.read(
                    clients.post(
                        who,
                        judge.url(),
                        "/api/chat",
                        null,
                        ChatRequest.book(judge.model(), prompt, format, judge.stream())))) {
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
            }
          });
    }
  }
}
