package io.llmft.scoring;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.llmft.common.FakeOllama;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local judge that speaks Ollama's {@code /api/chat} and the OpenAI-compatible {@code
 * /v1/chat/completions} badly, answering the score 85 either way: it {@linkplain #dripping drips}
 * its answer one blank a tenth of a second before the answer itself, or sends it after many blanks
 * ({@linkplain #padded padded}). It counts the calls, and the callers that hung up before the
 * answer was sent.
 */
public final class MisbehavingJudge implements AutoCloseable {
  private static final String OLLAMA_ANSWER =
      "{\"message\":{\"role\":\"assistant\",\"content\":\"85\"},\"done\":true}\n";
  private static final String OPENAI_ANSWER =
      "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"85\"}}]}";

  private final HttpServer server;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger hangUps = new AtomicInteger();
  private final CountDownLatch called = new CountDownLatch(1);

  private interface Body {
    void send(OutputStream out, String answer) throws IOException, InterruptedException;
  }

  /** Blanks, one a tenth of a second, for {@code drip}, then the answer. */
  public static MisbehavingJudge dripping(Duration drip) throws IOException {
    long blanks = drip.toMillis() / 100;
    return new MisbehavingJudge(
        (out, answer) -> {
          for (long i = 0; i < blanks; i++) {
            out.write(' ');
            out.flush();
            Thread.sleep(100);
          }
          out.write(answer.getBytes(StandardCharsets.UTF_8));
        });
  }

  /** The answer after {@code bytes} of blanks, which JSON allows before a value. */
  public static MisbehavingJudge padded(int bytes) throws IOException {
    byte[] chunk = " ".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
    return new MisbehavingJudge(
        (out, answer) -> {
          for (int sent = 0; sent < bytes; sent += chunk.length) {
            out.write(chunk);
          }
          out.write(answer.getBytes(StandardCharsets.UTF_8));
        });
  }

  private MisbehavingJudge(Body body) throws IOException {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = bind();
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/api/chat", exchange -> answer(exchange, body, OLLAMA_ANSWER));
    server.createContext("/v1/chat/completions", exchange -> answer(exchange, body, OPENAI_ANSWER));
    server.start();
  }

  private void answer(HttpExchange exchange, Body body, String answer) throws IOException {
    exchange.getRequestBody().readAllBytes();
    calls.incrementAndGet();
    called.countDown();
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      body.send(out, answer);
    } catch (IOException e) {
      hangUps.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  private static HttpServer bind() throws IOException {
    for (int port = FakeOllama.FIRST_PORT;
        port < FakeOllama.FIRST_PORT + FakeOllama.PORTS;
        port++) {
      try {
        return HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
      } catch (java.net.BindException taken) {
        // the next one
      }
    }
    throw new IOException("no free port for a fake judge");
  }

  /** The base URL of Ollama's API; OpenAI's is this with {@code /v1}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public int calls() {
    return calls.get();
  }

  /** Callers that hung up before the whole answer was sent. */
  public int hangUps() {
    return hangUps.get();
  }

  /** Waits for the first call. */
  public void awaitCall(Duration timeout) throws InterruptedException {
    if (!called.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the judge was not called");
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
