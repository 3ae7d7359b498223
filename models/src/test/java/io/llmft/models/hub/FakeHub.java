package io.llmft.models.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the Hugging Face hub, as it answers {@code resolve/main}: config.json
 * directly; model.safetensors (an LFS file) as a redirect that announces {@code X-Linked-Size} and
 * {@code X-Linked-ETag} (the sha256), served from a CDN path that honours {@code Range}. It can
 * break off the first weights transfer half way, or serve a corrupted copy.
 */
public final class FakeHub implements AutoCloseable {
  public enum Fault {
    NONE,
    INTERRUPT_FIRST,
    CORRUPT
  }

  final HttpServer server;
  public final List<String> log = new CopyOnWriteArrayList<>();
  public final AtomicInteger weightTransfers = new AtomicInteger();

  /** The Authorization header of each CDN request ("null" when none was sent). */
  public final List<String> cdnAuthorization = new CopyOnWriteArrayList<>();

  private final byte[] config;
  private final byte[] weights;
  private final String sha256;
  private final Fault fault;

  public FakeHub(Path modelDir, String repo, Fault fault) throws IOException {
    this.config = Files.readAllBytes(modelDir.resolve("config.json"));
    this.weights = Files.readAllBytes(modelDir.resolve("model.safetensors"));
    this.sha256 = HubDownloader.sha256(modelDir.resolve("model.safetensors"));
    this.fault = fault;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/" + repo + "/resolve/main/config.json",
        ex -> {
          log.add(
              ex.getRequestMethod()
                  + " config.json "
                  + ex.getRequestHeaders().getFirst("Authorization"));
          ex.getResponseHeaders().add("Content-Length", String.valueOf(config.length));
          if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
          } else {
            ex.sendResponseHeaders(200, config.length);
            ex.getResponseBody().write(config);
          }
          ex.close();
        });
    server.createContext(
        "/" + repo + "/resolve/main/model.safetensors",
        ex -> {
          log.add(ex.getRequestMethod() + " model.safetensors");
          ex.getResponseHeaders().add("X-Linked-Size", String.valueOf(weights.length));
          ex.getResponseHeaders().add("X-Linked-ETag", "\"" + sha256 + "\"");
          // like the hub's CDN: another host (a name for the same server here)
          ex.getResponseHeaders()
              .add(
                  "Location",
                  "http://localhost:" + server.getAddress().getPort() + "/cdn/model.safetensors");
          ex.sendResponseHeaders(302, -1);
          ex.close();
        });
    server.createContext("/cdn/model.safetensors", this::serveWeights);
    server.start();
  }

  private void serveWeights(HttpExchange ex) throws IOException {
    int transfer = weightTransfers.incrementAndGet();
    cdnAuthorization.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
    String range = ex.getRequestHeaders().getFirst("Range");
    log.add("GET cdn " + (range == null ? "whole" : range));
    byte[] body = weights.clone();
    if (fault == Fault.CORRUPT) {
      body[body.length / 2] ^= 0x5a;
    }
    int from = range == null ? 0 : Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
    int length = body.length - from;
    if (from > 0) {
      ex.getResponseHeaders()
          .add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
    }
    ex.sendResponseHeaders(from > 0 ? 206 : 200, length);
    OutputStream out = ex.getResponseBody();
    if (fault == Fault.INTERRUPT_FIRST && transfer == 1) {
      out.write(body, from, length / 2);
      out.flush();
      // A handler that fails makes the server drop the connection, short of its Content-Length.
      throw new IOException("transfer broken off on purpose");
    }
    out.write(body, from, length);
    ex.close();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
