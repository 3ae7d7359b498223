package io.llmft.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A local HTTP server that speaks Ollama's {@code POST /api/chat} (one JSON object per line, each
 * with a piece of {@code message.content}, the last with {@code "done": true}, or an {@code
 * {"error": ...}} line; one object when the request says {@code "stream": false}) and the
 * OpenAI-compatible {@code POST /v1/chat/completions} (one {@code chat.completion}, or Server-Sent
 * Events ending in {@code [DONE]} when the request streams). The answer comes from a function of
 * the request and its user prompt; a null answer streams an error after one piece. A {@link Fault}
 * chosen per call (numbered from 1) can make it fail as real servers do; a fixed latency delays
 * every answer. Calls are served concurrently.
 */
public final class FakeOllama implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How one call goes wrong. */
  public enum Fault {
    NONE,
    /** HTTP 500 with Ollama's error body. */
    SERVER_ERROR,
    /** HTTP 404, as for a model that is not pulled. */
    MODEL_NOT_FOUND,
    /** Headers and one piece, then an error line. */
    ERROR_LINE,
    /** No answer for {@link #HANG}, then a normal one. */
    HANG
  }

  public static final Duration HANG = Duration.ofSeconds(6);

  private final HttpServer server;
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();

  /**
   * The ports a fake judge listens on, the first free one: the scoring service's tests admit
   * exactly these judge URLs ({@code judge.allowed-urls}).
   */
  public static final int FIRST_PORT = 18970;

  public static final int PORTS = 10;

  private static HttpServer bind() throws IOException {
    for (int port = FIRST_PORT; port < FIRST_PORT + PORTS; port++) {
      try {
        return HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
      } catch (java.net.BindException taken) {
        // the next one
      }
    }
    throw new IOException("no free port for a fake judge in " + FIRST_PORT + "+" + PORTS);
  }

  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  public FakeOllama(Function<String, String> answer) throws IOException {
    this(answer, call -> Fault.NONE, Duration.ZERO);
  }

  public FakeOllama(Function<String, String> answer, IntFunction<Fault> faults, Duration latency)
      throws IOException {
    this((request, prompt) -> answer.apply(prompt), faults, latency);
  }

  /**
   * A judge that gives each prompt the score {@code scoreOf} says, in the form the request asks
   * for: with a JSON schema ({@code format} or {@code response_format}), an object with the score
   * under the schema's integer property (and a justification where the schema has one); asked for a
   * {@code Score: N} line (the rubric), a justification and that line; else the integer alone.
   */
  public static FakeOllama replaying(java.util.function.ToIntFunction<String> scoreOf)
      throws IOException {
    return new FakeOllama(
        (request, prompt) -> {
          int score = scoreOf.applyAsInt(prompt);
          JsonNode schema =
              request.has("format")
                  ? request.get("format")
                  : request.at("/response_format/json_schema/schema");
          if (schema.isObject()) {
            var answer = JSON.createObjectNode();
            schema
                .path("properties")
                .fields()
                .forEachRemaining(
                    p -> {
                      if (p.getValue().path("type").asText().equals("integer")) {
                        answer.put(p.getKey(), score);
                      } else {
                        answer.put(p.getKey(), "It follows the reference.");
                      }
                    });
            return answer.toString();
          }
          return prompt.contains("`Score: N`")
              ? "It follows the reference.\nScore: " + score
              : String.valueOf(score);
        },
        call -> Fault.NONE,
        Duration.ZERO);
  }

  public FakeOllama(
      java.util.function.BiFunction<JsonNode, String, String> answer,
      IntFunction<Fault> faults,
      Duration latency)
      throws IOException {
    // Real servers (Ollama is Go's net/http) send each streamed piece at once; the JDK server
    // would hold small writes back (Nagle) and add ~40 ms to every answer.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = bind();
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/api/chat",
        exchange -> {
          JsonNode request = JSON.readTree(exchange.getRequestBody());
          requests.add(request);
          Fault fault = faults.apply(calls.incrementAndGet());
          pause(fault == Fault.HANG ? HANG.plus(latency) : latency);
          if (fault == Fault.SERVER_ERROR || fault == Fault.MODEL_NOT_FOUND) {
            byte[] body =
                (fault == Fault.SERVER_ERROR
                        ? "{\"error\":\"llama runner process has terminated\"}"
                        : "{\"error\":\"model 'llama3' not found, try pulling it first\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(fault == Fault.SERVER_ERROR ? 500 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
            return;
          }
          String prompt = request.at("/messages/0/content").asText();
          String reply = fault == Fault.ERROR_LINE ? null : answer.apply(request, prompt);
          if (!request.path("stream").asBoolean(true) && reply != null) {
            send(exchange, 200, "application/json", piece(request, reply, true));
            return;
          }
          exchange.getResponseHeaders().add("Content-Type", "application/x-ndjson");
          exchange.sendResponseHeaders(200, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            if (reply == null) {
              line(out, piece(request, "4", false));
              line(out, "{\"error\":\"model runner has unexpectedly stopped\"}");
              return;
            }
            int half = reply.length() / 2;
            line(out, piece(request, reply.substring(0, half), false));
            line(out, piece(request, reply.substring(half), false));
            line(out, piece(request, "", true));
          }
        });
    server.createContext(
        "/v1/chat/completions",
        exchange -> {
          JsonNode request = JSON.readTree(exchange.getRequestBody());
          requests.add(request);
          authorizations.add(
              String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          Fault fault = faults.apply(calls.incrementAndGet());
          pause(fault == Fault.HANG ? HANG.plus(latency) : latency);
          if (fault == Fault.SERVER_ERROR || fault == Fault.MODEL_NOT_FOUND) {
            send(
                exchange,
                fault == Fault.SERVER_ERROR ? 500 : 404,
                "application/json",
                fault == Fault.SERVER_ERROR
                    ? "{\"error\":{\"message\":\"the engine died\",\"type\":\"server_error\"}}"
                    : "{\"error\":{\"message\":\"The model does not exist\",\"type\":\"invalid_request_error\"}}");
            return;
          }
          String prompt = request.at("/messages/0/content").asText();
          String reply = fault == Fault.ERROR_LINE ? null : answer.apply(request, prompt);
          if (!request.path("stream").asBoolean(false)) {
            var completion = JSON.createObjectNode().put("id", "chatcmpl-1");
            completion
                .put("object", "chat.completion")
                .put("model", request.path("model").asText());
            completion
                .putArray("choices")
                .addObject()
                .put("index", 0)
                .put("finish_reason", "stop")
                .putObject("message")
                .put("role", "assistant")
                .put("content", reply == null ? "" : reply);
            send(exchange, 200, "application/json", completion.toString());
            return;
          }
          exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
          exchange.sendResponseHeaders(200, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            if (reply == null) {
              line(out, "data: " + delta("4") + "\n");
              line(out, "data: {\"error\":{\"message\":\"the engine died\"}}\n");
              return;
            }
            int half = reply.length() / 2;
            line(out, "data: " + delta(reply.substring(0, half)) + "\n");
            line(out, "data: " + delta(reply.substring(half)) + "\n");
            line(out, "data: [DONE]\n");
          }
        });
    server.createContext(
        "/api/tags",
        exchange -> {
          byte[] body =
              "{\"models\":[{\"name\":\"llama3:latest\"}]}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  private static String piece(JsonNode request, String content, boolean done) throws IOException {
    var node = JSON.createObjectNode();
    node.put("model", request.path("model").asText());
    node.put("created_at", "2024-05-01T00:00:00Z");
    node.putObject("message").put("role", "assistant").put("content", content);
    node.put("done", done);
    return JSON.writeValueAsString(node);
  }

  private static String delta(String content) {
    var chunk = JSON.createObjectNode().put("object", "chat.completion.chunk");
    chunk
        .putArray("choices")
        .addObject()
        .put("index", 0)
        .putObject("delta")
        .put("content", content);
    return chunk.toString();
  }

  private static void send(
      com.sun.net.httpserver.HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static void line(OutputStream out, String json) throws IOException {
    out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void pause(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code /api/chat} calls received so far. */
  public int calls() {
    return calls.get();
  }

  /** The {@code Authorization} header of each {@code /v1} call ("null" when there was none). */
  public List<String> authorizations() {
    return authorizations;
  }

  /** The base of its OpenAI-compatible API, ending in {@code /v1}. */
  public String openAiUrl() {
    return url() + "/v1";
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every {@code /api/chat} request body received, in order. */
  public List<JsonNode> requests() {
    return requests;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
