package io.llmft.common;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.core.data.InstructionEntry;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The layout of a prepared dataset in the artifact store: {@code datasets/{id}/dataset.json} (the
 * manifest) and one JSON array per split ({@code train.json}, {@code validation.json}, {@code
 * test.json}).
 */
@ApplicationScoped
public class DatasetArtifacts {
  public static final List<String> SPLITS = List.of("train", "validation", "test");
  public static final String AREA = "datasets";

  /** What later stages need to know of a dataset. */
  public record Manifest(
      String id,
      String name,
      String promptStyle,
      int allowedMaxLength,
      Map<String, Integer> counts) {}

  private final ArtifactStore store;
  private final ObjectMapper mapper;

  public DatasetArtifacts(ArtifactStore store, ObjectMapper mapper) {
    this.store = store;
    this.mapper = mapper;
  }

  public Path dir(String id) {
    return store.dir(AREA, id);
  }

  public Path splitFile(String id, String split) {
    if (!SPLITS.contains(split)) {
      throw ProblemException.invalid("split", "must be one of " + SPLITS);
    }
    return dir(id).resolve(split + ".json");
  }

  public boolean exists(String id) {
    return Ids.isValid(id) && Files.isRegularFile(dir(id).resolve("dataset.json"));
  }

  public Manifest manifest(String id) {
    return store.readJson(dir(id).resolve("dataset.json"), Manifest.class);
  }

  public void write(Manifest manifest, Map<String, List<JsonNode>> splits) {
    for (Map.Entry<String, List<JsonNode>> split : splits.entrySet()) {
      store.writeJson(splitFile(manifest.id(), split.getKey()), split.getValue());
    }
    // The manifest last: its presence means the dataset is complete.
    store.writeJson(dir(manifest.id()).resolve("dataset.json"), manifest);
  }

  public List<JsonNode> readSplit(String id, String split) {
    try {
      return mapper.readValue(
          splitFile(id, split).toFile(), new TypeReference<List<JsonNode>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read split " + split + " of dataset " + id, e);
    }
  }

  /** An entry object as the model library sees it. */
  public static InstructionEntry toEntry(JsonNode node) {
    return new InstructionEntry(
        node.path("instruction").asText(""),
        node.path("input").asText(""),
        node.path("output").asText(""));
  }
}
