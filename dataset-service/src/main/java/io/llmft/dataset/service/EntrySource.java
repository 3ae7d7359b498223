package io.llmft.dataset.service;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.job.Downloads;
import io.llmft.common.job.JobControl;
import io.llmft.common.store.ImportRoots;
import io.llmft.contract.DatasetJob;
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
import java.util.List;
import java.util.function.Consumer;

/**
 * The raw entries of a dataset job — inline, builtin, a file or a URL — read as a stream, one entry
 * at a time, as often as needed: a large source (Alpaca's 52,000 entries) is never held whole.
 */
@ApplicationScoped
public class EntrySource {
  public static final String BUILTIN_INSTRUCTION_DATA = DatasetJob.Source.INSTRUCTION_DATA;
  private static final String BUILTIN_RESOURCE = "/datasets/instruction-data.json";

  private final ObjectMapper mapper;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private static final int MAX_REDIRECTS = 5;

  private final ImportRoots imports;
  private final Downloads downloads;
  private final SourceUrlPolicy urls;
  private final DownloadsConfig limits;

  public EntrySource(
      ObjectMapper mapper,
      ImportRoots imports,
      Downloads downloads,
      SourceUrlPolicy urls,
      DownloadsConfig limits) {
    this.mapper = mapper;
    this.imports = imports;
    this.downloads = downloads;
    this.urls = urls;
    this.limits = limits;
  }

  /** Receives each entry with its position in the source. */
  @FunctionalInterface
  public interface EntryConsumer {
    void accept(int index, JsonNode entry) throws IOException;
  }

  /** A source that can be read from the start again; close it to drop a downloaded copy. */
  public interface Entries extends AutoCloseable {
    void forEach(EntryConsumer consumer) throws IOException;

    @Override
    void close() throws IOException;
  }

  @FunctionalInterface
  private interface Opener {
    InputStream open() throws IOException;
  }

  public static String describe(DatasetJob job) {
    if (job.entries() != null) {
      return "entries (" + job.entries().size() + " inline)";
    }
    DatasetJob.Source s = job.source();
    if (s.builtin() != null) {
      return "builtin:" + s.builtin();
    }
    return s.url() != null ? "url:" + s.url() : "path:" + s.path();
  }

  /**
   * @param scratch a directory for a downloaded copy of a URL source
   */
  public Entries open(DatasetJob job, Path scratch, JobControl control, Consumer<String> progress)
      throws IOException {
    if (job.entries() != null) {
      List<JsonNode> entries = job.entries();
      return new Entries() {
        @Override
        public void forEach(EntryConsumer consumer) throws IOException {
          for (int i = 0; i < entries.size(); i++) {
            consumer.accept(i, entries.get(i));
          }
        }

        @Override
        public void close() {}
      };
    }
    DatasetJob.Source s = job.source();
    if (s.builtin() != null) {
      return streamed(
          () -> EntrySource.class.getResourceAsStream(BUILTIN_RESOURCE),
          "builtin dataset " + s.builtin(),
          null);
    }
    if (s.path() != null) {
      // resolved again when the job runs: a symlink changed since the POST cannot lead outside
      Path file = imports.require(s.path(), "source.path");
      return streamed(() -> Files.newInputStream(file), s.path(), null);
    }
    Path copy = download(s.url(), scratch, control, progress);
    return streamed(() -> Files.newInputStream(copy), s.url(), copy);
  }

  /**
   * Downloads a URL source into {@code scratch}; a transfer that breaks off (or a 5xx) is tried
   * again ({@link Downloads}), resuming with a {@code Range} request from the bytes received.
   */
  private Path download(String url, Path scratch, JobControl control, Consumer<String> progress)
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

  private Entries streamed(Opener opener, String what, Path temporary) {
    return new Entries() {
      @Override
      public void forEach(EntryConsumer consumer) throws IOException {
        try (InputStream in = opener.open();
            JsonParser parser = mapper.getFactory().createParser(in)) {
          if (parser.nextToken() != JsonToken.START_ARRAY) {
            throw new IOException(what + " is not a JSON array of entries");
          }
          int index = 0;
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() == null) {
              throw new IOException(what + " ends before its array is closed");
            }
            consumer.accept(index++, mapper.readTree(parser));
          }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          // the location only: the parser's own message quotes the file's content
          var at = e.getLocation();
          throw new IOException(
              what
                  + " is not a JSON array of entries"
                  + (at == null
                      ? ""
                      : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
      }

      @Override
      public void close() throws IOException {
        if (temporary != null) {
          Files.deleteIfExists(temporary);
        }
      }
    };
  }
}
