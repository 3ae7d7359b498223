package io.llmft.common.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.contract.InstructionEntry;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The layout of a prepared dataset in the artifact store: {@code datasets/{id}/dataset.json} (the
 * manifest) and one JSON array per split ({@code train.json}, {@code validation.json}, {@code
 * test.json}).
 */
@ApplicationScoped
public class DatasetArtifacts {
  public static final List<String> SPLITS = List.of("train", "validation", "test");

  /**
   * A prepared dataset's description: {@code format} {@code alpaca} (the book's rows, also for
   * manifests written before datasets had a format) or {@code chat} (conversations, each {@code
   * {"messages": [...]}}, formatted by the model's chat template). {@code kind}: {@link
   * #PREFERENCE} when every kept entry has string {@code chosen} and {@code rejected} responses,
   * else {@link #INSTRUCTION} (also for manifests written before datasets had a kind).
   */
  public record Manifest(
      String id,
      String name,
      String promptStyle,
      int allowedMaxLength,
      Map<String, Integer> counts,
      String kind,
      String format) {
    public Manifest {
      kind = kind == null ? INSTRUCTION : kind;
      format = format == null ? "alpaca" : format;
    }

    public Manifest(
        String id,
        String name,
        String promptStyle,
        int allowedMaxLength,
        Map<String, Integer> counts,
        String kind) {
      this(id, name, promptStyle, allowedMaxLength, counts, kind, "alpaca");
    }

    /** Whether its rows are conversations ({@code messages}), formatted by a chat template. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isChat() {
      return "chat".equals(format);
    }

    public Manifest(
        String id,
        String name,
        String promptStyle,
        int allowedMaxLength,
        Map<String, Integer> counts) {
      this(id, name, promptStyle, allowedMaxLength, counts, INSTRUCTION);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isPreference() {
      return PREFERENCE.equals(kind);
    }
  }

  /** A dataset of instructions and their outputs. */
  public static final String INSTRUCTION = "instruction";

  /** A dataset of instructions with a chosen and a rejected response each. */
  public static final String PREFERENCE = "preference";

  private final ArtifactStore store;
  private final ObjectMapper mapper;

  public DatasetArtifacts(ArtifactStore store, ObjectMapper mapper) {
    this.store = store;
    this.mapper = mapper;
  }

  public Path dir(String id) {
    return store.layout().dataset(id);
  }

  public Path splitFile(String id, String split) {
    if (!SPLITS.contains(split)) {
      throw new InvalidFieldException("split", "must be one of " + SPLITS);
    }
    return dir(id).resolve(split + ".json");
  }

  public boolean exists(String id) {
    return Ids.isValid(id) && Files.isRegularFile(store.layout().datasetManifest(id));
  }

  public Manifest manifest(String id) {
    return store.readJson(store.layout().datasetManifest(id), Manifest.class);
  }

  /** Writes whole splits, then the manifest. */
  public void write(Manifest manifest, Map<String, List<JsonNode>> splits) {
    for (Map.Entry<String, List<JsonNode>> split : splits.entrySet()) {
      try (SplitWriter writer = openSplit(manifest.id(), split.getKey())) {
        for (JsonNode entry : split.getValue()) {
          writer.write(entry);
        }
        writer.commit();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot write split " + split.getKey() + " of " + manifest.id(), e);
      }
    }
    writeManifest(manifest);
  }

  /** The manifest last: its presence means the dataset is complete. */
  public void writeManifest(Manifest manifest) {
    store.writeJson(store.layout().datasetManifest(manifest.id()), manifest);
  }

  /** A split written one entry at a time to a temporary file, renamed into place on commit. */
  public SplitWriter openSplit(String id, String split) throws IOException {
    return new SplitWriter(splitFile(id, split));
  }

  /**
   * Streams one split's JSON array; nothing appears under the split's name before {@link
   * #commit()}.
   */
  public final class SplitWriter implements AutoCloseable {
    private final Path target;
    private final Path tmp;
    private final JsonGenerator generator;
    private boolean committed;

    private SplitWriter(Path target) throws IOException {
      this.target = target;
      Files.createDirectories(target.getParent());
      this.tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
      this.generator = mapper.getFactory().createGenerator(Files.newOutputStream(tmp));
      generator.useDefaultPrettyPrinter();
      generator.writeStartArray();
    }

    public void write(JsonNode entry) throws IOException {
      mapper.writeTree(generator, entry);
    }

    public void commit() throws IOException {
      io.llmft.common.job.JobControl.checkCurrentOwned();
      generator.writeEndArray();
      generator.close();
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      committed = true;
    }

    @Override
    public void close() throws IOException {
      if (!committed) {
        generator.close();
        Files.deleteIfExists(tmp);
      }
    }
  }

  public List<JsonNode> readSplit(String id, String split) {
    try {
      return mapper.readValue(
          splitFile(id, split).toFile(), new TypeReference<List<JsonNode>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read split " + split + " of dataset " + id, e);
    }
  }

  /**
   * An entry object as the model library sees it; a preference entry without {@code output} trains
   * on its chosen response.
   */
  public static InstructionEntry toEntry(JsonNode node) {
    return new InstructionEntry(
        node.path("instruction").asText(""),
        node.path("input").asText(""),
        node.has("output") ? node.path("output").asText("") : node.path("chosen").asText(""));
  }

  /** Whether an entry has string {@code chosen} and {@code rejected} responses. */
  public static boolean isPreference(JsonNode node) {
    return node.path("chosen").isTextual() && node.path("rejected").isTextual();
  }
}
