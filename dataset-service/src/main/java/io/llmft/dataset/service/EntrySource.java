package io.llmft.dataset.service;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.core.messages.DatasetJob;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * The raw entries of a dataset job — inline, builtin, a file or a URL — read as a stream, one entry
 * at a time, as often as needed: a large source (Alpaca's 52,000 entries) is never held whole.
 */
@ApplicationScoped
public class EntrySource {
  public static final String BUILTIN_INSTRUCTION_DATA = "instruction-data";
  private static final String BUILTIN_RESOURCE = "/datasets/instruction-data.json";

  private final ObjectMapper mapper;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();

  public EntrySource(ObjectMapper mapper) {
    this.mapper = mapper;
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
  public Entries open(DatasetJob job, Path scratch) throws IOException, InterruptedException {
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
      Path file = Path.of(s.path());
      return streamed(() -> Files.newInputStream(file), s.path(), null);
    }
    Path copy = download(s.url(), scratch);
    return streamed(() -> Files.newInputStream(copy), s.url(), copy);
  }

  private Path download(String url, Path scratch) throws IOException, InterruptedException {
    Files.createDirectories(scratch);
    Path copy = scratch.resolve("source.json");
    HttpResponse<Path> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30)).GET().build(),
              HttpResponse.BodyHandlers.ofFile(scratch.resolve("source.json.part")));
    } catch (IOException e) {
      throw new IOException("GET " + url + " failed: " + e, e);
    }
    if (response.statusCode() / 100 != 2) {
      Files.deleteIfExists(response.body());
      throw new IOException("GET " + url + " answered HTTP " + response.statusCode());
    }
    return Files.move(response.body(), copy, StandardCopyOption.REPLACE_EXISTING);
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
          throw new IOException(
              what + " is not a JSON array of entries: " + e.getOriginalMessage(), e);
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
