package io.llmft.dataset.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.llmft.common.config.JobsConfig;
import io.llmft.common.job.Downloads;
import io.llmft.common.job.JobControl;
import io.llmft.common.net.HostResolver;
import io.llmft.dataset.config.DownloadsConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS rebinding: a host that resolves to one address when the download checks it and to another a
 * moment later is fetched from the address checked, never from the later answer.
 */
class UrlSourceTest {
  private static final String HOST = "data.rebind.test";

  @TempDir Path scratch;

  private final Vertx vertx = Vertx.vertx();
  private final List<String> checkedServerSaw = new CopyOnWriteArrayList<>();
  private final List<String> reboundServerSaw = new CopyOnWriteArrayList<>();
  private HttpServer checkedServer;
  private HttpServer reboundServer;

  @BeforeEach
  void servers() throws IOException {
    checkedServer = server("127.0.0.1", 0, "[\"checked\"]", checkedServerSaw);
    int port = checkedServer.getAddress().getPort();
    reboundServer = server("127.0.0.2", port, "[\"rebound\"]", reboundServerSaw);
  }

  @AfterEach
  void stop() {
    checkedServer.stop(0);
    reboundServer.stop(0);
    vertx.close();
  }

  @Test
  void theDownloadConnectsToTheAddressItsCheckResolved() throws IOException {
    HostResolver rebinding = answers("127.0.0.1", "127.0.0.2");
    String url = "http://" + HOST + ":" + port() + "/data.json";
    UrlSource source = source(rebinding, Optional.of(List.of("http://" + HOST + ":" + port())));

    Path file = source.download(url, scratch, new JobControl("job", 0), p -> {});

    assertEquals("[\"checked\"]", Files.readString(file));
    assertEquals(List.of(HOST + ":" + port()), checkedServerSaw, "the Host header names the URL");
    assertEquals(List.of(), reboundServerSaw);
  }

  /** The attack: public when checked, loopback when connecting. */
  @Test
  void aHostThatRebindsToALoopbackAddressAfterItsCheckIsNeverReachedThere() {
    HostResolver rebinding = answers("192.0.2.1", "127.0.0.1");
    String url = "http://" + HOST + ":" + port() + "/data.json";
    UrlSource source = source(rebinding, Optional.empty());

    IOException failure =
        assertThrows(
            IOException.class,
            () -> source.download(url, scratch, new JobControl("job", 0), p -> {}));

    assertTrue(failure.getMessage().contains("192.0.2.1"), failure.getMessage());
    assertEquals(List.of(), checkedServerSaw, "the loopback server was never asked");
  }

  private int port() {
    return checkedServer.getAddress().getPort();
  }

  /** Answers {@code first} to the first lookup and {@code later} to every later one. */
  private static HostResolver answers(String first, String later) {
    AtomicInteger lookups = new AtomicInteger();
    return host -> {
      assertEquals(HOST, host);
      return new InetAddress[] {
        InetAddress.getByName(lookups.getAndIncrement() == 0 ? first : later)
      };
    };
  }

  private UrlSource source(HostResolver resolver, Optional<List<String>> allowed) {
    DownloadsConfig limits =
        new DownloadsConfig() {
          @Override
          public Optional<List<String>> allowedUrls() {
            return allowed;
          }

          @Override
          public long maxBytes() {
            return 1 << 20;
          }

          @Override
          public Duration timeout() {
            return Duration.ofSeconds(30);
          }
        };
    return new UrlSource(
        vertx, new Downloads(oneAttempt()), new SourceUrlPolicy(limits, resolver), limits);
  }

  private static JobsConfig oneAttempt() {
    return new JobsConfig() {
      @Override
      public int concurrency() {
        return 1;
      }

      @Override
      public int maxAttempts() {
        return 1;
      }

      @Override
      public Duration stopGrace() {
        return Duration.ofSeconds(1);
      }

      @Override
      public Duration publishTimeout() {
        return Duration.ofSeconds(1);
      }

      @Override
      public Duration publishBackoff() {
        return Duration.ofSeconds(1);
      }

      @Override
      public Duration publishMaxBackoff() {
        return Duration.ofSeconds(1);
      }

      @Override
      public int downloadAttempts() {
        return 1;
      }

      @Override
      public Duration downloadBackoff() {
        return Duration.ofMillis(1);
      }
    };
  }

  private static HttpServer server(String address, int port, String body, List<String> hosts)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 0);
    server.createContext(
        "/data.json",
        ex -> {
          hosts.add(ex.getRequestHeaders().getFirst("Host"));
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    server.start();
    return server;
  }
}
