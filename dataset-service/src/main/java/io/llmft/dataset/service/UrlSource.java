package io.llmft.dataset.service;

import io.llmft.common.job.Downloads;
import io.llmft.common.job.JobControl;
import io.llmft.dataset.config.DownloadsConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A dataset {@code source.url} fetched into the job's scratch folder: every request (redirects are
 * followed here, each target checked by the {@link SourceUrlPolicy}) connects to the address its
 * check resolved, within the size cap and the time limit of {@link DownloadsConfig}; a transfer
 * that breaks off or a 5xx is tried again by {@link Downloads}, resuming with a {@code Range}
 * request.
 */
@ApplicationScoped
public class UrlSource {
  private static final int MAX_REDIRECTS = 5;

  private static final int CONNECT_TIMEOUT_MS = 10_000;

  private final HttpClient http;
  private final Downloads downloads;
  private final SourceUrlPolicy urls;
  private final DownloadsConfig limits;

  public UrlSource(Vertx vertx, Downloads downloads, SourceUrlPolicy urls, DownloadsConfig limits) {
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout(CONNECT_TIMEOUT_MS)
                .setVerifyHost(true)
                .setForceSni(true));
    this.downloads = downloads;
    this.urls = urls;
    this.limits = limits;
  }

  @PreDestroy
  void close() {
    http.close();
  }

  /**
   * Downloads a URL source into {@code scratch}; a transfer that breaks off (or a 5xx) is tried
   * again ({@link Downloads}), resuming with a {@code Range} request from the bytes received.
   */
  public Path download(String url, Path scratch, JobControl control, Consumer<String> progress)
      throws IOException {
    Files.createDirectories(scratch);
    Path part = scratch.resolve("source.json.part");
    Files.deleteIfExists(part);
    long deadline = System.nanoTime() + limits.timeout().toNanos();
    downloads.attempt(
        url,
        e -> e instanceof RetryableDownload && System.nanoTime() < deadline,
        control,
        progress,
        () -> {
          fetch(url, part, deadline);
          return part;
        });
    return Files.move(part, scratch.resolve("source.json"), StandardCopyOption.REPLACE_EXISTING);
  }

  /** A failure that another attempt may get past: a broken transfer, a 5xx. */
  private static final class RetryableDownload extends IOException {
    RetryableDownload(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * One attempt: follows up to {@value #MAX_REDIRECTS} redirects itself, each target checked by the
   * {@link SourceUrlPolicy} before it is asked; stops at the size cap and the deadline.
   */
  private void fetch(String url, Path part, long deadline) throws IOException {
    long have = Files.exists(part) ? Files.size(part) : 0;
    String target = url;
    for (int redirects = 0; ; redirects++) {
      SourceUrlPolicy.Checked checked;
      try {
        checked = urls.check(target);
      } catch (SourceUrlPolicy.Refused e) {
        throw new IOException(
            (redirects == 0 ? "source.url " : "source.url redirected to a URL that ")
                + e.getMessage());
      }
      Response response = send(url, checked, have, deadline);
      int status = response.head().statusCode();
      String location = response.head().getHeader("Location");
      if (status / 100 == 3 && location != null) {
        response.body().close();
        if (redirects >= MAX_REDIRECTS) {
          throw new IOException("GET " + url + " redirected more than " + MAX_REDIRECTS + " times");
        }
        target = checked.uri().resolve(location).toString();
        continue;
      }
      try (PulledBody body = response.body()) {
        receive(url, response.head(), body, part, have, deadline);
      }
      return;
    }
  }

  /** A response's status line and headers, its body not yet read. */
  private record Response(HttpClientResponse head, PulledBody body) {}

  /**
   * Sends the GET to the address the policy checked; the URL's host still names the server (Host
   * header, TLS server name and certificate check).
   */
  private Response send(String url, SourceUrlPolicy.Checked checked, long have, long deadline)
      throws IOException {
    RequestOptions get =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(checked.uri().getHost())
            .setPort(checked.port())
            .setSsl(checked.https())
            .setURI(checked.target())
            .setServer(
                SocketAddress.inetSocketAddress(
                    new InetSocketAddress(checked.address(), checked.port())))
            .setFollowRedirects(false)
            .setIdleTimeout(TimeUnit.NANOSECONDS.toMillis(remaining(deadline).toNanos()) + 1);
    if (have > 0) {
      get.putHeader("Range", "bytes=" + have + "-");
    }
    try {
      return http.request(get)
          .compose(request -> request.send())
          .map(response -> new Response(response, new PulledBody(response, Vertx.currentContext())))
          .toCompletionStage()
          .toCompletableFuture()
          .get(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IOException("GET " + url + " did not finish within " + limits.timeout(), e);
    } catch (ExecutionException e) {
      throw new RetryableDownload("GET " + url + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while downloading " + url);
    }
  }

  private void receive(
      String url, HttpClientResponse head, PulledBody body, Path part, long have, long deadline)
      throws IOException {
    int status = head.statusCode();
    if (status / 100 != 2) {
      String message = "GET " + url + " answered HTTP " + status;
      if (status >= 500) {
        throw new RetryableDownload(message, null);
      }
      throw new IOException(message);
    }
    boolean resumed = status == 206;
    long written = resumed ? have : 0;
    String length = head.getHeader("Content-Length");
    long declared = length == null ? -1 : parseLength(length);
    if (declared >= 0 && written + declared > limits.maxBytes()) {
      throw new IOException(tooLarge(url));
    }
    try (OutputStream out =
        Files.newOutputStream(
            part,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      Buffer chunk;
      while ((chunk = body.next(remaining(deadline).toNanos())) != null) {
        if (written + chunk.length() > limits.maxBytes()) {
          throw new LimitReached(tooLarge(url));
        }
        out.write(chunk.getBytes());
        written += chunk.length();
      }
    } catch (LimitReached e) {
      Files.deleteIfExists(part);
      throw new IOException(e.getMessage());
    } catch (TimeoutException e) {
      Files.deleteIfExists(part);
      throw new IOException("GET " + url + " did not finish within " + limits.timeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while downloading " + url);
    } catch (IOException e) {
      throw new RetryableDownload("the transfer broke off after " + written + " bytes: " + e, e);
    }
  }

  private static long parseLength(String header) {
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private String tooLarge(String url) {
    return "source.url " + url + " is larger than the limit of " + limits.maxBytes() + " bytes";
  }

  /** A limit reached while reading: not a broken transfer, so not retried. */
  private static final class LimitReached extends IOException {
    LimitReached(String message) {
      super(message);
    }
  }

  private static Duration remaining(long deadline) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new LimitReached("the download's time limit has passed");
    }
    return Duration.ofNanos(left);
  }
}
