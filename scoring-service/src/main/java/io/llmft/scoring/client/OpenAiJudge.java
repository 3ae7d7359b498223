package io.llmft.scoring.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.contract.ScoringJob.Judge;
import jakarta.inject.Singleton;
import java.io.BufferedReader;

/**
 * Asks an OpenAI-compatible server ({@code POST {url}/chat/completions}: Ollama's own {@code /v1},
 * vLLM, this suite's inference service) with the book's settings ({@code temperature 0}, {@code
 * seed 123}); a JSON schema goes as {@code response_format: {"type": "json_schema"}}. The answer is
 * one JSON object, or Server-Sent Events ending in {@code [DONE]} when streamed; the API key, when
 * the judge names one, is read from the service's secrets at each call. The whole call keeps to
 * {@code judge.call-timeout}, its body to {@code judge.max-answer-bytes}.
 */
@Singleton
public class OpenAiJudge {
  private final ObjectMapper mapper;
  private final JudgeClients clients;
  private final JudgeSecrets secrets;
  private final CallsInFlight calls;

  public OpenAiJudge(
      ObjectMapper mapper, JudgeClients clients, JudgeSecrets secrets, CallsInFlight calls) {
    this.mapper = mapper;
    this.clients = clients;
    this.secrets = secrets;
    this.calls = calls;
  }

  /**
   * @param schema the JSON schema the answer must follow, or null for free text
   * @return the answer's {@code choices[0].message.content} (streamed: the joined deltas)
   * @throws JudgeException when the server cannot be reached, answers with an HTTP error or an
   *     error event, or misses the deadline
   */
  public String ask(Judge judge, String prompt, JsonNode schema) {
    String who = "the OpenAI-compatible judge at " + judge.url();
    String authorization =
        judge.apiKeySecret() == null ? null : "Bearer " + secrets.read(judge.apiKeySecret());
    try (Answer answer = calls.open(who)) {
      return answer.collect(
          () -> {
            try (BufferedReader lines =
                answer.read(
                    clients.post(
                        who,
                        judge.url(),
                        "/chat/completions",
                        authorization,
                        request(judge, prompt, schema)))) {
              if (!judge.stream()) {
                JsonNode json = mapper.readTree(lines);
                failOnError(who, json);
                answer.append(
                    json.path("choices").path(0).path("message").path("content").asText(""));
                return;
              }
              String line;
              while ((line = lines.readLine()) != null) {
                answer.checkDeadline();
                if (!line.startsWith("data:")) {
                  continue; // blank separators, comments, event names
                }
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                  break;
                }
                JsonNode json = mapper.readTree(data);
                failOnError(who, json);
                if (answer.append(
                    json.path("choices").path(0).path("delta").path("content").asText(""))) {
                  break;
                }
              }
            }
          });
    }
  }

  private ObjectNode request(Judge judge, String prompt, JsonNode schema) {
    ObjectNode request = mapper.createObjectNode();
    request.put("model", judge.model());
    request.putArray("messages").addObject().put("role", "user").put("content", prompt);
    request.put("temperature", 0.0);
    request.put("seed", 123);
    request.put("stream", judge.stream());
    if (schema != null) {
      ObjectNode format = request.putObject("response_format").put("type", "json_schema");
      format
          .putObject("json_schema")
          .put("name", "judgement")
          .put("strict", true)
          .set("schema", schema);
    }
    return request;
  }

  private static void failOnError(String who, JsonNode json) {
    if (json != null && json.hasNonNull("error")) {
      JsonNode error = json.get("error");
      throw JudgeException.unavailable(
          who
              + " reported an error: "
              + (error.isObject() ? error.path("message").asText() : error.asText()),
          null);
    }
  }
}
