package io.llmft.dataset.service;

import io.llmft.common.job.Downloads;
import io.llmft.common.job.JobControl;
import io.llmft.dataset.config.DownloadsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A dataset {@code source.url} fetched into the job's scratch folder: every request (redirects are
 * followed here, each target checked by the {@link SourceUrlPolicy}) within the size cap and the
 * time limit of {@link DownloadsConfig}; a transfer that breaks off or a 5xx is tried again by
 * {@link Downloads}, resuming with a {@code Range} request.
 */
@ApplicationScoped
public class UrlSource {
  private static final int MAX_REDIRECTS = 5;

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private final Downloads downloads;
  private final SourceUrlPolicy urls;
  private final DownloadsConfig limits;

  public UrlSource(Downloads downloads, SourceUrlPolicy urls, DownloadsConfig limits) {
    this.downloads = downloads;
    this.urls = urls;
    this.limits = limits;
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
      var refusal = urls.refusal(target);
      if (refusal.isPresent()) {
        throw new IOException(
            (redirects == 0 ? "source.url " : "source.url redirected to a URL that ")
                + refusal.get());
      }
      HttpRequest.Builder get =
          HttpRequest.newBuilder(URI.create(target)).timeout(remaining(deadline)).GET();
      if (have > 0) {
        get.header("Range", "bytes=" + have + "-");
      }
      HttpResponse<InputStream> response;
      try {
        response = http.send(get.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (java.net.http.HttpTimeoutException e) {
        throw new IOException("GET " + url + " did not finish within " + limits.timeout(), e);
      } catch (IOException e) {
        throw new RetryableDownload("GET " + url + " failed: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while downloading " + url);
      }
      int status = response.statusCode();
      if (status / 100 == 3 && response.headers().firstValue("Location").isPresent()) {
        response.body().close();
        if (redirects >= MAX_REDIRECTS) {
          throw new IOException("GET " + url + " redirected more than " + MAX_REDIRECTS + " times");
        }
        target =
            URI.create(target).resolve(response.headers().firstValue("Location").get()).toString();
        continue;
      }
      receive(url, response, part, have, deadline);
      return;
    }
  }

  private void receive(
      String url, HttpResponse<InputStream> response, Path part, long have, long deadline)
      throws IOException {
    int status = response.statusCode();
    if (status / 100 != 2) {
      response.body().close();
      String message = "GET " + url + " answered HTTP " + status;
      if (status >= 500) {
        throw new RetryableDownload(message, null);
      }
      throw new IOException(message);
    }
    boolean resumed = status == 206;
    long written = resumed ? have : 0;
    long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (declared >= 0 && written + declared > limits.maxBytes()) {
      response.body().close();
      throw new IOException(tooLarge(url));
    }
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = response.body();
        OutputStream out =
            Files.newOutputStream(
                part,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (written + n > limits.maxBytes()) {
          throw new LimitReached(tooLarge(url));
        }
        if (System.nanoTime() > deadline) {
          throw new LimitReached("GET " + url + " did not finish within " + limits.timeout());
        }
        out.write(buffer, 0, n);
        written += n;
      }
    } catch (LimitReached e) {
      Files.deleteIfExists(part);
      throw new IOException(e.getMessage());
    } catch (IOException e) {
      throw new RetryableDownload("the transfer broke off after " + written + " bytes: " + e, e);
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
      throw new IOException("the download's time limit has passed");
    }
    return Duration.ofNanos(left);
  }
}
