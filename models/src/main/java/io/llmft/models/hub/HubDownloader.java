package io.llmft.models.hub;

import io.llmft.contract.ModelDirectory;
import io.llmft.contract.PretrainedModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Fetches the pretrained GPT-2 checkpoints the book uses from a Hugging Face hub into a cache
 * directory, once: {@code {endpoint}/{repo}/resolve/main/{file}} for {@code config.json} and {@code
 * model.safetensors}. An interrupted transfer resumes with an HTTP range request; a file's size,
 * and for LFS files the sha256 the hub announces ({@code X-Linked-ETag}), are verified before the
 * file is moved into place. Concurrent callers, in this process or in others sharing the cache,
 * download a model once.
 */
public final class HubDownloader {
  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
  static final List<String> FILES =
      List.of(ModelDirectory.CONFIG_FILE, ModelDirectory.WEIGHTS_FILE);
  private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

  private final String endpoint;
  private final String token;
  private final Path cacheRoot;
  private final Consumer<String> log;
  private final HttpClient http;

  /**
   * @param endpoint the hub ({@code HF_ENDPOINT}); {@link #DEFAULT_ENDPOINT} when null or blank
   * @param token sent as a bearer token when not blank ({@code HF_TOKEN})
   * @param cacheRoot where models are kept, one directory per model ({@code gpt2-medium/})
   */
  public HubDownloader(String endpoint, String token, Path cacheRoot, Consumer<String> log) {
    this.endpoint =
        endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint.replaceAll("/+$", "");
    this.token = token == null || token.isBlank() ? null : token;
    this.cacheRoot = cacheRoot;
    this.log = log;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(15))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** The cache directory of a model: its short name ({@code gpt2-medium/}). */
  public Path directory(PretrainedModel model) {
    return cacheRoot.resolve(model.shortName());
  }

  public String url(PretrainedModel model, String file) {
    return endpoint + "/" + model.hubRepository() + "/resolve/main/" + file;
  }

  /** The model's directory with both files, downloading what is missing. */
  public Path ensure(PretrainedModel model) throws IOException {
    Path dir = directory(model);
    synchronized (LOCKS.computeIfAbsent(dir.toString(), k -> new Object())) {
      Path work = dir.resolve(".download");
      Files.createDirectories(work);
      try (FileChannel lockFile =
              FileChannel.open(
                  work.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        for (String file : FILES) {
          if (!Files.isRegularFile(dir.resolve(file))) {
            download(model, file, work, dir.resolve(file));
          }
        }
      }
      return dir;
    }
  }

  /** What the hub says of a file before it is fetched. */
  record Announced(long size, Optional<String> sha256) {}

  private void download(PretrainedModel model, String file, Path work, Path target)
      throws IOException {
    String url = url(model, file);
    Announced announced = announce(model, url);
    Path part = work.resolve(file + ".part");
    long have = Files.isRegularFile(part) ? Files.size(part) : 0;
    if (have > announced.size()) {
      Files.delete(part);
      have = 0;
    }
    if (have < announced.size()) {
      fetch(model, url, part, have, announced.size());
    }
    long size = Files.size(part);
    if (size != announced.size()) {
      throw new IOException(
          url + ": received " + size + " bytes, the hub announced " + announced.size());
    }
    if (announced.sha256().isPresent()) {
      String actual = sha256(part);
      if (!actual.equalsIgnoreCase(announced.sha256().get())) {
        Files.delete(part);
        throw new IOException(
            url
                + ": sha256 "
                + actual
                + " does not match the hub's "
                + announced.sha256().get()
                + "; the corrupted download was deleted, retry to fetch it again");
      }
    }
    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    log.accept(
        model.bookName()
            + ": "
            + file
            + " verified ("
            + size
            + " bytes"
            + announced.sha256().map(s -> ", sha256 " + s).orElse("")
            + ")");
  }

  private Announced announce(PretrainedModel model, String url) throws IOException {
    HttpResponse<Void> head =
        send(
            model,
            request(url).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding());
    var headers = head.headers();
    Optional<String> linkedSize = headers.firstValue("x-linked-size");
    if (linkedSize.isPresent()) {
      Optional<String> sha =
          headers.firstValue("x-linked-etag").map(e -> e.replace("\"", "").replaceFirst("^W/", ""));
      return new Announced(Long.parseLong(linkedSize.get()), sha);
    }
    if (head.statusCode() == 200 && headers.firstValue("content-length").isPresent()) {
      return new Announced(
          Long.parseLong(headers.firstValue("content-length").get()), Optional.empty());
    }
    throw new IOException(
        "cannot download the pretrained weights of '"
            + model.bookName()
            + "': the hub answered HTTP "
            + head.statusCode()
            + " for "
            + url);
  }

  private void fetch(PretrainedModel model, String url, Path part, long from, long total)
      throws IOException {
    String location = url;
    HttpResponse<InputStream> response = null;
    for (int redirects = 0; redirects < 5; redirects++) {
      HttpRequest.Builder get = request(location).GET();
      if (from > 0) {
        get.header("Range", "bytes=" + from + "-");
      }
      response = send(model, get.build(), HttpResponse.BodyHandlers.ofInputStream());
      Optional<String> next = response.headers().firstValue("location");
      if (response.statusCode() / 100 == 3 && next.isPresent()) {
        response.body().close();
        location = URI.create(location).resolve(next.get()).toString();
        continue;
      }
      break;
    }
    boolean resumed = response.statusCode() == 206;
    if (!resumed && response.statusCode() != 200) {
      response.body().close();
      throw new IOException("GET " + url + " answered HTTP " + response.statusCode());
    }
    long written = resumed ? from : 0;
    log.accept(
        model.bookName()
            + ": downloading "
            + url
            + (resumed ? " from byte " + from : "")
            + " ("
            + total
            + " bytes)");
    StandardOpenOption mode =
        resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    long nextReport = written + total / 10;
    try (InputStream in = response.body();
        OutputStream out =
            Files.newOutputStream(
                part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        written += n;
        if (written >= nextReport && total > 0) {
          log.accept(
              String.format(
                  "%s: %s %d%%", model.bookName(), part.getFileName(), 100 * written / total));
          nextReport = written + total / 10;
        }
      }
    } catch (IOException e) {
      throw new IOException(
          "download of "
              + url
              + " broke off after "
              + written
              + " of "
              + total
              + " bytes; the next attempt resumes from there: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * A request with the token only where it belongs: the hub's own scheme, host and port. The hub
   * redirects large files to CDN hosts, which must not see it.
   */
  private HttpRequest.Builder request(String url) {
    URI uri = URI.create(url);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30));
    if (token != null && sameOrigin(uri, URI.create(endpoint))) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0
        ? uri.getPort()
        : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private <T> HttpResponse<T> send(
      PretrainedModel model, HttpRequest request, HttpResponse.BodyHandler<T> body)
      throws IOException {
    try {
      return http.send(request, body);
    } catch (IOException e) {
      throw new IOException(
          "cannot download the pretrained weights of '"
              + model.bookName()
              + "' from "
              + request.uri()
              + " ("
              + e
              + "); without network access, place config.json and"
              + " model.safetensors in "
              + directory(model),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while downloading " + request.uri(), e);
    }
  }

  static String sha256(Path file) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (InputStream in = Files.newInputStream(file)) {
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          digest.update(buffer, 0, n);
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
