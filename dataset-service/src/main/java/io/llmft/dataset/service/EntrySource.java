package io.llmft.dataset.service;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.job.JobControl;
import io.llmft.common.store.ImportRoots;
import io.llmft.contract.DatasetJob;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The raw entries of a dataset job — inline, builtin, a file or a URL — read as a stream, one entry
 * at a time, as often as needed: a large source (Alpaca's 52,000 entries) is never held whole. A
 * file is a JSON array of entries or JSON Lines (one object a line), told apart by its first
 * character.
 */
@ApplicationScoped
public class EntrySource {
  public static final String BUILTIN_INSTRUCTION_DATA = DatasetJob.Source.INSTRUCTION_DATA;

  /**
   * The bundled datasets by name: the book's chapter-7 entries, the DPO notebook's same entries
   * with a chosen and a rejected response each, and a chat sample made from them.
   */
  public static final java.util.Map<String, String> BUILTINS =
      java.util.Map.of(
          BUILTIN_INSTRUCTION_DATA,
          "/datasets/instruction-data.json",
          DatasetJob.Source.INSTRUCTION_DATA_WITH_PREFERENCE,
          "/datasets/instruction-data-with-preference.json",
          DatasetJob.Source.CHAT_SAMPLE,
          "/datasets/chat-sample.jsonl");

  private final ObjectMapper mapper;
  private final ImportRoots imports;
  private final UrlSource urlSource;

  public EntrySource(ObjectMapper mapper, ImportRoots imports, UrlSource urlSource) {
    this.mapper = mapper;
    this.imports = imports;
    this.urlSource = urlSource;
  }

  /** Receives each entry with its position in the source. */
  @FunctionalInterface
  public interface EntryConsumer {
    void accept(int index, JsonNode entry) throws IOException;

    /**
     * A line of a JSON Lines source that is not a JSON object: a rejected row (its line number in
     * {@code reason}), the rest kept. Ignored by a pass that only rereads the kept rows.
     */
    default void unreadable(int index, String reason) throws IOException {}
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
          () -> EntrySource.class.getResourceAsStream(BUILTINS.get(s.builtin())),
          "builtin dataset " + s.builtin(),
          null);
    }
    if (s.path() != null) {
      // resolved again when the job runs: a symlink changed since the POST cannot lead outside
      Path file = imports.require(s.path(), "source.path");
      return streamed(() -> Files.newInputStream(file), s.path(), null);
    }
    Path copy = urlSource.download(s.url(), scratch, control, progress);
    return streamed(() -> Files.newInputStream(copy), s.url(), copy);
  }

  private Entries streamed(Opener opener, String what, Path temporary) {
    return new Entries() {
      @Override
      public void forEach(EntryConsumer consumer) throws IOException {
        try (InputStream raw = opener.open();
            java.io.BufferedInputStream in = new java.io.BufferedInputStream(raw)) {
          if (firstSignificantByte(in) == '{') {
            jsonLines(in, consumer);
          } else {
            jsonArray(in, consumer);
          }
        }
      }

      /** One JSON object a line; blank lines are skipped, a broken line is a rejected row. */
      private void jsonLines(InputStream in, EntryConsumer consumer) throws IOException {
        java.io.BufferedReader reader =
            new java.io.BufferedReader(
                new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        int index = 0;
        int lineNumber = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          lineNumber++;
          if (line.isBlank()) {
            continue;
          }
          JsonNode row;
          try {
            row = mapper.readTree(line);
          } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            row = null;
          }
          if (row != null && row.isObject()) {
            consumer.accept(index++, row);
          } else {
            consumer.unreadable(index++, "line " + lineNumber + ": not a JSON object");
          }
        }
      }

      private void jsonArray(InputStream in, EntryConsumer consumer) throws IOException {
        try (JsonParser parser = mapper.getFactory().createParser(in)) {
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

      /** The first byte that is not whitespace (or a UTF-8 byte order mark), left unread. */
      private int firstSignificantByte(java.io.BufferedInputStream in) throws IOException {
        while (true) {
          in.mark(1);
          int b = in.read();
          if (b < 0) {
            return b;
          }
          if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != 0xEF && b != 0xBB
              && b != 0xBF) {
            in.reset();
            return b;
          }
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
