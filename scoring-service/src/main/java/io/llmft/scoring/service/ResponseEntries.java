package io.llmft.scoring.service;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An inference job's {@code responses.json} (a JSON array of entries) read entry by entry, so that
 * checking a source holds one entry of it, and no more than {@code judge.max-entries} are read.
 */
final class ResponseEntries implements Closeable {
  /** The file is not an array of entries, or has more than the limit. */
  static final class Unfit extends IOException {
    Unfit(String message) {
      super(message);
    }
  }

  private final ObjectMapper mapper;
  private final JsonParser parser;
  private final int max;
  private int read;
  private boolean ended;

  private ResponseEntries(ObjectMapper mapper, Path file, int max) throws IOException {
    this.mapper = mapper;
    this.parser = mapper.getFactory().createParser(file.toFile());
    this.max = max;
    JsonToken first;
    try {
      first = parser.nextToken();
    } catch (JsonProcessingException e) {
      parser.close();
      throw unfit(e);
    }
    if (first != JsonToken.START_ARRAY) {
      parser.close();
      throw new Unfit("are not a JSON array of entries");
    }
  }

  static ResponseEntries open(ObjectMapper mapper, Path file, int max) throws IOException {
    return new ResponseEntries(mapper, file, max);
  }

  /** Every entry of a file. */
  static List<JsonNode> readAll(ObjectMapper mapper, Path file, int max) throws IOException {
    try (ResponseEntries entries = open(mapper, file, max)) {
      List<JsonNode> all = new ArrayList<>();
      for (JsonNode e = entries.next(); e != null; e = entries.next()) {
        all.add(e);
      }
      return all;
    }
  }

  /** The number of entries of a file, each skipped unread. */
  static int count(ObjectMapper mapper, Path file, int max) throws IOException {
    try (ResponseEntries entries = open(mapper, file, max)) {
      while (entries.skip()) {
        // counted
      }
      return entries.read;
    }
  }

  /**
   * @return the next entry, or null after the last
   * @throws Unfit past the limit
   */
  JsonNode next() throws IOException {
    try {
      return advance() ? mapper.readTree(parser) : null;
    } catch (JsonProcessingException e) {
      throw unfit(e);
    }
  }

  private boolean skip() throws IOException {
    try {
      if (!advance()) {
        return false;
      }
      parser.skipChildren();
      return true;
    } catch (JsonProcessingException e) {
      throw unfit(e);
    }
  }

  private static Unfit unfit(JsonProcessingException e) {
    return new Unfit("are not valid JSON (" + e.getOriginalMessage() + ")");
  }

  private boolean advance() throws IOException {
    if (ended) {
      return false;
    }
    JsonToken token = parser.nextToken();
    if (token == JsonToken.END_ARRAY) {
      ended = true;
      return false;
    }
    if (token == null) {
      throw new Unfit("end before their array does");
    }
    if (++read > max) {
      throw new Unfit("have more than " + max + " entries (judge.max-entries)");
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}
