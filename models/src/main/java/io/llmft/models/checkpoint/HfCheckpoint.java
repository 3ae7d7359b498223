package io.llmft.models.checkpoint;

import static io.llmft.contract.ModelDirectory.CONFIG_FILE;
import static io.llmft.contract.ModelDirectory.INDEX_FILE;
import static io.llmft.contract.ModelDirectory.WEIGHTS_FILE;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.models.FamilyFormat;
import io.llmft.models.FileTrees;
import io.llmft.models.LanguageModel;
import io.llmft.models.LoraAdapters;
import io.llmft.models.ModelConfig;
import io.llmft.models.ModelFamily;
import io.llmft.models.ModelWeights;
import io.llmft.models.Safetensors;
import io.llmft.models.engine.NativeArrays;
import io.llmft.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Hugging Face model directories of any family: {@code config.json}, whose {@code model_type} names
 * the {@link ModelFamily}, and the weights in {@code model.safetensors} or in the shards a {@code
 * model.safetensors.index.json} lists (F32, F16 or BF16, read as fp32). A directory whose {@code
 * config.json} has no {@code model_type} but GPT-2's {@code n_embd} is read as GPT-2. Models are
 * written in their family's layout (fp32, one file); LoRA adapters are merged into those weights
 * and also written alone ({@link #LORA_FILE}); the tokenizer's files go beside them.
 */
public final class HfCheckpoint {
  /** The LoRA adapters alone, beside the merged weights, when a model was finetuned with LoRA. */
  public static final String LORA_FILE = "lora_adapters.safetensors";

  public static final String LORA_CONFIG_FILE = "lora_config.json";

  /**
   * The LoRA adapters alone in PEFT's layout ({@link PeftAdapters}), in a folder beside the merged
   * weights: transformers still reads the model's directory as a plain model.
   */
  public static final String ADAPTER_DIR = "adapter";

  private static final ObjectMapper JSON = new ObjectMapper();

  private HfCheckpoint() {}

  /** {@code config.json} as it is. */
  public static JsonNode configJson(Path dir) throws IOException {
    Path file = dir.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(file)) {
      throw new IOException("no " + CONFIG_FILE + " in " + dir);
    }
    return JSON.readTree(file.toFile());
  }

  /**
   * The family {@code config.json} names; an {@link IllegalArgumentException} for an unknown one.
   */
  public static ModelFamily family(JsonNode config) {
    JsonNode type = config.get("model_type");
    if (type == null || type.isNull()) {
      if (config.has("n_embd")) {
        return ModelFamily.GPT2;
      }
      throw new IllegalArgumentException("config.json: model_type is missing");
    }
    return ModelFamily.ofModelType(type.asText());
  }

  /**
   * The model's config; {@link IllegalArgumentException} when {@code config.json} names an unknown
   * family or a field is missing or malformed (the message names it).
   */
  public static ModelConfig readConfig(Path dir) throws IOException {
    JsonNode config = configJson(dir);
    return FamilyFormats.of(family(config)).readConfig(config);
  }

  /**
   * The tokenizer of a model directory: GPT-2's BPE for the GPT-2 family, else the directory's
   * {@code tokenizer.json}, with end-of-text and stop ids from its {@code config.json} and {@code
   * generation_config.json}.
   */
  public static Tokenizer tokenizer(Path dir, ModelConfig config) throws IOException {
    return FamilyFormats.of(config.family()).tokenizer(dir);
  }

  /**
   * Why a model directory cannot be run (an unknown {@code model_type}, a malformed config, a
   * family without its {@code tokenizer.json}), or null when it can: what a job or request is
   * refused with before it starts. Cheap: files, the config and the weights' headers are read, the
   * tokenizer is not built.
   */
  public static String unreadable(Path dir) {
    try {
      ModelConfig config = readConfig(dir);
      checkShapes(dir, config);
      checkAdapterFamily(dir, config);
      FamilyFormats.of(config.family()).checkTokenizerFiles(dir);
      return null;
    } catch (IOException | IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /**
   * Why a PEFT adapter over a base model cannot be run ({@link #unreadable(Path)} of the base, or
   * what the adapter's files do not fit), or null. Cheap: configs and headers are read.
   */
  public static String unreadable(Path baseDir, Path adapterDir) {
    String base = unreadable(baseDir);
    if (base != null) {
      return "its base model: " + base;
    }
    try {
      PeftAdapters.check(adapterDir, readConfig(baseDir));
      return null;
    } catch (IOException | IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /**
   * A {@link #LORA_CONFIG_FILE} beside the weights was written for this model's family: adapters
   * trained on another family do not fit its projections.
   */
  private static void checkAdapterFamily(Path dir, ModelConfig config) throws IOException {
    Path file = dir.resolve(LORA_CONFIG_FILE);
    if (!Files.isRegularFile(file)) {
      return;
    }
    String type = JSON.readTree(file.toFile()).path("model_type").asText("");
    if (!type.isEmpty() && !type.equals(config.family().modelType())) {
      throw new IllegalArgumentException(
          LORA_CONFIG_FILE
              + ": its adapters were trained on a "
              + type
              + " model, but config.json is "
              + config.family().modelType());
    }
  }

  /**
   * Every tensor of the weight files is a parameter of the config, with its shape (headers only).
   */
  private static void checkShapes(Path dir, ModelConfig config) throws IOException {
    FamilyFormat format = FamilyFormats.of(config.family());
    Map<String, Shape> expected = format.shapes(config);
    for (Path file : weightFiles(dir)) {
      for (Map.Entry<String, long[]> t : Safetensors.shapes(file).entrySet()) {
        String name = format.parameterName(t.getKey());
        if (name != null) {
          checkShape(file, t.getKey(), t.getValue(), expected.get(name));
        }
      }
    }
  }

  private static void checkShape(Path file, String key, long[] shape, Shape expected)
      throws IOException {
    if (expected == null) {
      throw new IOException("unexpected tensor " + key + " in " + file);
    }
    if (!Arrays.equals(expected.getShape(), shape)) {
      throw new IOException(
          "tensor "
              + key
              + " in "
              + file.getFileName()
              + " has shape "
              + Arrays.toString(shape)
              + ", but config.json makes it "
              + expected);
    }
  }

  /** An fp32 model without adapters from the checkpoint in {@code dir}. */
  public static LanguageModel load(Path dir, NDManager parent) throws IOException {
    return loadWeights(dir, parent).build();
  }

  /**
   * An fp32 model: the checkpoint in {@code baseDir} with the LoRA adapters of {@code adapterDir}
   * ({@link PeftAdapters#read}), whose arrays live with the base's weights.
   *
   * @throws IllegalArgumentException when the adapter does not fit the base (the message names the
   *     file and field)
   */
  public static LanguageModel load(Path baseDir, Path adapterDir, NDManager parent)
      throws IOException {
    ModelWeights weights = loadWeights(baseDir, parent);
    try {
      return weights.build(
          io.llmft.models.Precision.FP32,
          PeftAdapters.read(adapterDir, weights.config(), weights.manager()));
    } catch (IOException | RuntimeException e) {
      weights.manager().close();
      throw e;
    }
  }

  /** The weights of the checkpoint in {@code dir}, in a new sub-manager of {@code parent}. */
  public static ModelWeights loadWeights(Path dir, NDManager parent) throws IOException {
    ModelConfig config = readConfig(dir);
    FamilyFormat format = FamilyFormats.of(config.family());
    Map<String, Shape> expected = format.shapes(config);
    List<Path> files = weightFiles(dir);
    NDManager manager = parent.newSubManager();
    Map<String, NDArray> arrays = new LinkedHashMap<>();
    try {
      for (Path file : files) {
        // one tensor at a time from the file into the engine: the Java heap holds at most one
        Safetensors.forEach(
            file,
            (key, tensor) -> {
              String name = format.parameterName(key);
              if (name == null) {
                return;
              }
              Shape shape = expected.get(name);
              checkShape(file, key, tensor.shape(), shape);
              arrays.put(name, NativeArrays.copyOf(manager, tensor.data(), shape));
            });
      }
    } catch (IOException | RuntimeException ex) {
      manager.close();
      throw ex;
    }
    try {
      return format.fromNamed(config, arrays, manager);
    } catch (IllegalArgumentException ex) {
      throw new IOException(dir + ": " + ex.getMessage(), ex);
    }
  }

  /** The weight files: {@code model.safetensors}, or the shards its index lists, in order. */
  public static List<Path> weightFiles(Path dir) throws IOException {
    if (Files.isRegularFile(dir.resolve(WEIGHTS_FILE))) {
      return List.of(dir.resolve(WEIGHTS_FILE));
    }
    Path index = dir.resolve(INDEX_FILE);
    if (!Files.isRegularFile(index)) {
      throw new IOException("no " + WEIGHTS_FILE + " or " + INDEX_FILE + " in " + dir);
    }
    JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
    if (!map.isObject() || map.isEmpty()) {
      throw new IOException(index + " has no weight_map");
    }
    Set<String> shards = new LinkedHashSet<>();
    map.elements().forEachRemaining(v -> shards.add(v.asText()));
    List<Path> files = new ArrayList<>();
    for (String shard : shards) {
      Path file = dir.resolve(shard).normalize();
      if (!file.getParent().equals(dir.normalize()) || !Files.isRegularFile(file)) {
        throw new IOException(index + " names a shard that is not in " + dir + ": " + shard);
      }
      files.add(file);
    }
    return files;
  }

  /** How far a {@link #save} has come: what a crash after that step leaves behind. */
  enum SaveStep {
    /** The new version is complete and on disk; {@code dir} still shows the old model. */
    VERSION_WRITTEN,
    /** {@code dir} shows the new version; the old one is not deleted yet. */
    SWITCHED
  }

  /**
   * Writes the model and its tokenizer's files to {@code dir}, replacing what is there atomically:
   * the files go into a new version directory beside it ({@code .{name}.v-{time}-{uuid}}), flushed
   * to disk, and {@code dir} becomes a symbolic link to that version in one rename over the old
   * link. A reader or a crash sees the old model or the new one, never none nor half of one; older
   * versions, and what interrupted saves left, are deleted afterwards. A plain directory at {@code
   * dir} (an earlier release's layout) is moved aside first.
   */
  public static void save(LanguageModel model, Tokenizer tokenizer, Path dir) throws IOException {
    save(model, tokenizer, dir, () -> {});
  }

  /**
   * {@link #save}, for a writer that may lose the right to write while it writes (a job whose
   * partition moved on): {@code stillOwner} runs between writing the version and switching the link
   * and throws when the writer may not switch; its version is then deleted and {@code dir} keeps
   * showing the model another writer saved.
   */
  public static void save(LanguageModel model, Tokenizer tokenizer, Path dir, Runnable stillOwner)
      throws IOException {
    save(model, tokenizer, dir, stillOwner, (String) null);
  }

  /**
   * {@link #save(LanguageModel, Tokenizer, Path, Runnable)}, the PEFT adapter of a LoRA model
   * naming {@code baseModel} (a pretrained name, a model id or a path; null when unknown) as its
   * {@code base_model_name_or_path}.
   */
  public static void save(
      LanguageModel model, Tokenizer tokenizer, Path dir, Runnable stillOwner, String baseModel)
      throws IOException {
    save(model, tokenizer, dir, stillOwner, baseModel, step -> {});
  }

  static void save(
      LanguageModel model,
      Tokenizer tokenizer,
      Path dir,
      Runnable stillOwner,
      java.util.function.Consumer<SaveStep> after)
      throws IOException {
    save(model, tokenizer, dir, stillOwner, null, after);
  }

  private static void save(
      LanguageModel model,
      Tokenizer tokenizer,
      Path dir,
      Runnable stillOwner,
      String baseModel,
      java.util.function.Consumer<SaveStep> after)
      throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    String name = dir.getFileName().toString();
    Path version = parent.resolve(versionName(name));
    Files.createDirectories(version);
    try {
      writeFiles(model, tokenizer, version, baseModel);
      FileTrees.sync(version);
      after.accept(SaveStep.VERSION_WRITTEN);
      stillOwner.run();
    } catch (IOException | RuntimeException ex) {
      FileTrees.deleteRecursively(version);
      throw ex;
    }
    Path link = parent.resolve("." + name + ".link-" + UUID.randomUUID());
    Files.createSymbolicLink(link, version.getFileName()); // relative: the store may move
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(dir)) {
      Files.move(dir, parent.resolve("." + name + ".v-moved-" + UUID.randomUUID()), ATOMIC_MOVE);
    }
    Files.move(link, dir, ATOMIC_MOVE); // rename(2): the old link is replaced in one step
    FileTrees.syncDirectory(parent);
    after.accept(SaveStep.SWITCHED);
    deleteOtherVersions(parent, name, version);
  }

  /**
   * A version's name: the time it was begun (fixed width, so names sort by it), then a uuid. Of two
   * saves of one model, the later begun is the newer.
   */
  private static String versionName(String name) {
    return "."
        + name
        + ".v-"
        + String.format("%015d", System.currentTimeMillis())
        + "-"
        + UUID.randomUUID();
  }

  /**
   * Whether a {@link #save} of the model at {@code dir} is under way: a version newer than the one
   * {@code dir} shows is there (until it is switched to, or deleted when its save fails).
   */
  public static boolean beingWritten(Path dir) {
    Path parent = dir.toAbsolutePath().getParent();
    String name = dir.getFileName().toString();
    String prefix = "." + name + ".v-";
    try (var entries = Files.list(parent)) {
      Path shown = shownVersion(dir);
      String current = shown == null ? null : shown.toString();
      return entries
          .map(p -> p.getFileName().toString())
          .filter(
              n -> n.startsWith(prefix) && TIMED.matcher(n.substring(prefix.length())).matches())
          .anyMatch(
              n ->
                  current == null
                      || isOlder(current.substring(prefix.length()), n.substring(prefix.length())));
    } catch (IOException e) {
      return false;
    }
  }

  /** Removes the model at {@code dir}: the link first (readers then see none), then its files. */
  public static void delete(Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    Path doomed = parent.resolve("." + dir.getFileName() + ".deleted-" + UUID.randomUUID());
    Files.move(dir, doomed, ATOMIC_MOVE);
    if (Files.isSymbolicLink(doomed)) {
      Files.delete(doomed);
      deleteOtherVersions(parent, dir.getFileName().toString(), null);
    } else {
      FileTrees.deleteRecursively(doomed);
    }
  }

  /**
   * The versions of {@code name} older than {@code current} (all, for null) and links left by
   * interrupted saves; never the version {@code name} shows now, nor one newer than {@code current}
   * (another writer's, which it may be about to switch to).
   */
  private static void deleteOtherVersions(Path parent, String name, Path current)
      throws IOException {
    String prefix = "." + name + ".v-";
    Path shown = shownVersion(parent.resolve(name));
    String mine = current == null ? null : current.getFileName().toString();
    List<Path> stale;
    try (var entries = Files.list(parent)) {
      stale =
          entries
              .filter(
                  p -> {
                    String n = p.getFileName().toString();
                    if (n.startsWith("." + name + ".link-")) {
                      return true;
                    }
                    return n.startsWith(prefix)
                        && !p.equals(current)
                        && !p.getFileName().equals(shown)
                        && (mine == null
                            || isOlder(
                                n.substring(prefix.length()), mine.substring(prefix.length())));
                  })
              .toList();
    }
    for (Path p : stale) {
      if (Files.isSymbolicLink(p)) {
        Files.delete(p);
      } else {
        FileTrees.deleteRecursively(p);
      }
    }
  }

  private static final java.util.regex.Pattern TIMED =
      java.util.regex.Pattern.compile("\\d{15}-.*");

  /**
   * Whether version {@code a} was begun before {@code b}; versions of earlier releases and a plain
   * directory moved aside carry no time and are older than any that does.
   */
  static boolean isOlder(String a, String b) {
    boolean timedA = TIMED.matcher(a).matches();
    boolean timedB = TIMED.matcher(b).matches();
    if (timedA != timedB) {
      return timedB;
    }
    return !timedA || a.compareTo(b) < 0;
  }

  /** The file name of the version a model's link points to, or null. */
  private static Path shownVersion(Path link) throws IOException {
    return Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).getFileName() : null;
  }

  private static void writeFiles(
      LanguageModel model, Tokenizer tokenizer, Path dir, String baseModel) throws IOException {
    try (NDScope scope = new NDScope()) {
      Safetensors.write(dir.resolve(WEIGHTS_FILE), model.checkpointTensors());
    }
    if (model.adapter() instanceof LoraAdapters lora) {
      Safetensors.write(dir.resolve(LORA_FILE), lora.parameters());
      JSON.writerWithDefaultPrettyPrinter()
          .writeValue(
              dir.resolve(LORA_CONFIG_FILE).toFile(),
              JSON.createObjectNode()
                  .put("model_type", lora.family().modelType())
                  .put("rank", lora.rank())
                  .put("alpha", lora.alpha()));
      PeftAdapters.write(dir.resolve(ADAPTER_DIR), lora, baseModel);
    }
    JSON.writerWithDefaultPrettyPrinter()
        .writeValue(
            dir.resolve(CONFIG_FILE).toFile(),
            FamilyFormats.of(model.family()).configJson(model.config()));
    tokenizer.writeFiles(dir);
  }
}
