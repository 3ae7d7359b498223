package io.llmft.dataset.service;

import com.fasterxml.jackson.core.type.TypeReference;
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
import java.time.Duration;
import java.util.List;

/** Reads the raw entries of a dataset job: inline, builtin, from a file or from a URL. */
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

  public List<JsonNode> load(DatasetJob job) throws IOException, InterruptedException {
    if (job.entries() != null) {
      return job.entries();
    }
    DatasetJob.Source s = job.source();
    if (s.builtin() != null) {
      try (InputStream in = EntrySource.class.getResourceAsStream(BUILTIN_RESOURCE)) {
        return parse(in, "builtin dataset " + s.builtin());
      }
    }
    if (s.path() != null) {
      try (InputStream in = Files.newInputStream(Path.of(s.path()))) {
        return parse(in, s.path());
      }
    }
    HttpResponse<InputStream> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(URI.create(s.url()))
                  .timeout(Duration.ofMinutes(5))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new IOException("GET " + s.url() + " failed: " + e, e);
    }
    try (InputStream in = response.body()) {
      if (response.statusCode() / 100 != 2) {
        throw new IOException("GET " + s.url() + " answered HTTP " + response.statusCode());
      }
      return parse(in, s.url());
    }
  }

  private List<JsonNode> parse(InputStream in, String what) throws IOException {
    try {
      return mapper.readValue(in, new TypeReference<List<JsonNode>>() {});
    } catch (IOException e) {
      throw new IOException(what + " is not a JSON array of entries: " + e.getMessage(), e);
    }
  }
}
