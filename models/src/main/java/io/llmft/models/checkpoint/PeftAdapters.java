package io.llmft.models.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.contract.ModelDirectory;
import io.llmft.models.LoraAdapters;
import io.llmft.models.ModelConfig;
import io.llmft.models.ModelFamily;
import io.llmft.models.Safetensors;
import io.llmft.models.engine.NativeArrays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * LoRA adapters in Hugging Face PEFT's layout, both ways: a directory with {@code
 * adapter_config.json} and {@code adapter_model.safetensors}, what {@code
 * PeftModel.from_pretrained} and vLLM's {@code --lora-modules} read.
 *
 * <p>PEFT adds {@code (lora_alpha / r) * x A^T B^T} with {@code lora_A.weight} (r, in) and {@code
 * lora_B.weight} (out, r); the suite adds {@code alpha * x A B} with A (in, r), B (r, out). So A
 * and B are transposed, and {@code lora_alpha} is written as {@code r * alpha}. GPT-2's query, key
 * and value adapters become one adapter of {@code c_attn} of rank 3r: A stacked, B block-diagonal,
 * its rank and alpha in {@code rank_pattern} and {@code alpha_pattern}. Read back, such a
 * block-diagonal adapter splits into the three again; one PEFT trained on {@code c_attn} becomes
 * three adapters that share its A. A module's own scaling, where patterns give it one, is folded
 * into its B.
 *
 * <p>The suite's own adapter files of earlier releases ({@link HfCheckpoint#LORA_FILE} and {@link
 * HfCheckpoint#LORA_CONFIG_FILE} beside a model) are read too.
 */
public final class PeftAdapters {
  public static final String CONFIG_FILE = ModelDirectory.ADAPTER_CONFIG_FILE;
  public static final String WEIGHTS_FILE = ModelDirectory.ADAPTER_WEIGHTS_FILE;

  private static final String KEY_PREFIX = "base_model.model.";
  private static final ObjectMapper JSON = new ObjectMapper();

  private PeftAdapters() {}

  /** Whether {@code dir} holds a PEFT adapter (its config and its weights). */
  public static boolean holdsAdapter(Path dir) {
    return ModelDirectory.holdsAdapter(dir);
  }

  /** The adapter's {@code base_model_name_or_path}, or null when it names none. */
  public static String baseModel(Path dir) throws IOException {
    JsonNode base = config(dir).get("base_model_name_or_path");
    return base == null || base.isNull() || base.asText().isBlank() ? null : base.asText();
  }

  /**
   * Writes {@code lora} to {@code dir} (created) in PEFT's layout.
   *
   * @param baseModel what {@code base_model_name_or_path} says: the base model's name, id or path
   */
  public static void write(Path dir, LoraAdapters lora, String baseModel) throws IOException {
    Files.createDirectories(dir);
    PeftModules layout = PeftModules.of(lora.family());
    Map<String, NDArray> named = lora.parameters();
    Map<String, Matrix> tensors = new LinkedHashMap<>();
    Map<String, List<Integer>> ranksByShortName = new LinkedHashMap<>();
    Map<String, Integer> rankByModule = new LinkedHashMap<>();
    for (PeftModules.Module module : layout.modules(lora.targets())) {
      List<Matrix> as = new ArrayList<>();
      List<Matrix> bs = new ArrayList<>();
      for (String layer : module.layers()) {
        NDArray a = named.get(layer + ".lora_A");
        as.add(a == null ? null : Matrix.of(a));
        bs.add(a == null ? null : Matrix.of(named.get(layer + ".lora_B")));
      }
      if (as.stream().allMatch(java.util.Objects::isNull)) {
        continue;
      }
      Matrix a = Matrix.stackColumns(as); // (in, R)
      Matrix b = Matrix.blockDiagonal(bs, module.widths()); // (R, out)
      tensors.put(KEY_PREFIX + module.name() + ".lora_A.weight", a.transposed());
      tensors.put(KEY_PREFIX + module.name() + ".lora_B.weight", b.transposed());
      rankByModule.put(module.name(), a.cols());
      ranksByShortName.computeIfAbsent(module.shortName(), k -> new ArrayList<>()).add(a.cols());
    }
    try (NDManager manager = firstArray(named).getManager().newSubManager()) {
      Map<String, NDArray> arrays = new LinkedHashMap<>();
      tensors.forEach((k, m) -> arrays.put(k, m.array(manager)));
      Safetensors.write(dir.resolve(WEIGHTS_FILE), arrays);
    }
    JSON.writerWithDefaultPrettyPrinter()
        .writeValue(
            dir.resolve(CONFIG_FILE).toFile(),
            configJson(lora, layout, baseModel, rankByModule, ranksByShortName));
  }

  private static NDArray firstArray(Map<String, NDArray> named) {
    return named.values().iterator().next();
  }

  private static ObjectNode configJson(
      LoraAdapters lora,
      PeftModules layout,
      String baseModel,
      Map<String, Integer> rankByModule,
      Map<String, List<Integer>> ranksByShortName) {
    int r = lora.rank();
    ObjectNode config = JSON.createObjectNode();
    config.put("peft_type", "LORA");
    config.put("task_type", "CAUSAL_LM");
    config.put("base_model_name_or_path", baseModel);
    config.put("r", r);
    config.put("lora_alpha", r * (double) lora.alpha());
    config.put("lora_dropout", 0.0);
    config.put("bias", "none");
    config.put("fan_in_fan_out", layout.fanInFanOut());
    config.put("use_rslora", false);
    config.put("use_dora", false);
    config.put("inference_mode", true);
    config.putNull("modules_to_save");
    ArrayNode targets = config.putArray("target_modules");
    new TreeSet<>(ranksByShortName.keySet()).forEach(targets::add);
    ObjectNode rankPattern = config.putObject("rank_pattern");
    ObjectNode alphaPattern = config.putObject("alpha_pattern");
    for (Map.Entry<String, List<Integer>> e : ranksByShortName.entrySet()) {
      boolean uniform = e.getValue().stream().distinct().count() == 1;
      if (uniform && e.getValue().get(0) != r) {
        rankPattern.put(e.getKey(), e.getValue().get(0));
        alphaPattern.put(e.getKey(), e.getValue().get(0) * (double) lora.alpha());
      } else if (!uniform) {
        rankByModule.forEach(
            (module, rank) -> {
              if (module.endsWith("." + e.getKey()) && rank != r) {
                String key = module.replace(".", "\\.");
                rankPattern.put(key, rank);
                alphaPattern.put(key, rank * (double) lora.alpha());
              }
            });
      }
    }
    return config;
  }

  /**
   * Refuses an adapter that does not fit a base model of {@code baseConfig} (its family, its
   * modules, its tensors' shapes) or uses a PEFT option the suite does not run; reads the headers
   * only.
   *
   * @throws IllegalArgumentException naming the file and field
   */
  public static void check(Path dir, ModelConfig baseConfig) throws IOException {
    if (isSuiteFiles(dir)) {
      suiteFilesConfig(dir, baseConfig.family());
      return;
    }
    Map<String, PeftModules.Module> modules = modules(baseConfig);
    checkFamily(dir, baseConfig.family());
    PeftOptions.of(config(dir)).checkTargets(modules.keySet());
    Map<String, long[]> shapes = Safetensors.shapes(dir.resolve(WEIGHTS_FILE));
    for (Map.Entry<String, long[]> t : shapes.entrySet()) {
      PeftModules.Module module = modules.get(moduleOf(t.getKey(), baseConfig.family(), modules));
      boolean isA = t.getKey().endsWith(".lora_A.weight");
      String other =
          t.getKey().replace(isA ? ".lora_A." : ".lora_B.", isA ? ".lora_B." : ".lora_A.");
      long[] shape = t.getValue();
      long[] otherShape = shapes.get(other);
      if (otherShape == null) {
        throw new IllegalArgumentException(
            WEIGHTS_FILE + ": " + t.getKey() + " has no " + other.substring(KEY_PREFIX.length()));
      }
      long[] a = isA ? shape : otherShape;
      long[] b = isA ? otherShape : shape;
      if (a.length != 2
          || b.length != 2
          || a[1] != module.in()
          || b[0] != module.out()
          || a[0] != b[1]) {
        throw new IllegalArgumentException(
            WEIGHTS_FILE
                + ": "
                + module.name()
                + ": lora_A "
                + java.util.Arrays.toString(a)
                + " and lora_B "
                + java.util.Arrays.toString(b)
                + " do not make a ("
                + module.out()
                + ", "
                + module.in()
                + ") weight of rank r: they must be (r, "
                + module.in()
                + ") and ("
                + module.out()
                + ", r)");
      }
    }
  }

  /**
   * The adapters of {@code dir}, in PEFT's layout or the suite's earlier one, for a base model of
   * {@code baseConfig}, their arrays in {@code manager}.
   *
   * @throws IllegalArgumentException as {@link #check} does
   */
  public static LoraAdapters read(Path dir, ModelConfig baseConfig, NDManager manager)
      throws IOException {
    check(dir, baseConfig);
    LoraAdapters.Targets targets = FamilyFormats.of(baseConfig.family()).adapterTargets(baseConfig);
    if (isSuiteFiles(dir)) {
      return readSuiteFiles(dir, targets, manager);
    }
    PeftOptions options = PeftOptions.of(config(dir));
    Map<String, PeftModules.Module> modules = modules(baseConfig);
    Map<String, Matrix> as = new LinkedHashMap<>();
    Map<String, Matrix> bs = new LinkedHashMap<>();
    Safetensors.forEach(
        dir.resolve(WEIGHTS_FILE),
        (key, tensor) -> {
          String module = moduleOf(key, baseConfig.family(), modules);
          (key.endsWith(".lora_A.weight") ? as : bs).put(module, Matrix.of(tensor, key));
        });
    float alpha = options.scaling(options.rank(), options.alpha());
    Map<String, NDArray> named = new LinkedHashMap<>();
    for (Map.Entry<String, Matrix> e : as.entrySet()) {
      Matrix a = e.getValue().transposed(); // (in, R)
      float scale = options.scaling(a.cols(), options.alphaOf(e.getKey())) / alpha;
      Matrix b = bs.get(e.getKey()).transposed().scaled(scale); // (R, out)
      split(modules.get(e.getKey()), a, b, named, manager);
    }
    return LoraAdapters.of(targets, options.rank(), alpha, named);
  }

  private static Map<String, PeftModules.Module> modules(ModelConfig baseConfig) {
    LoraAdapters.Targets targets = FamilyFormats.of(baseConfig.family()).adapterTargets(baseConfig);
    Map<String, PeftModules.Module> modules = new LinkedHashMap<>();
    for (PeftModules.Module m : PeftModules.of(baseConfig.family()).modules(targets)) {
      modules.put(m.name(), m);
    }
    return modules;
  }

  /** The suite's files of earlier releases, and no PEFT config. */
  private static boolean isSuiteFiles(Path dir) {
    return !Files.isRegularFile(dir.resolve(CONFIG_FILE))
        && Files.isRegularFile(dir.resolve(HfCheckpoint.LORA_CONFIG_FILE));
  }

  /**
   * A module's adapter as the suite's layers: itself, or GPT-2's {@code c_attn} as query, key and
   * value (exactly, when its B is block-diagonal; else each with the shared A).
   */
  private static void split(
      PeftModules.Module module,
      Matrix a,
      Matrix b,
      Map<String, NDArray> named,
      NDManager manager) {
    List<String> layers = module.layers();
    if (!module.fused()) {
      named.put(layers.get(0) + ".lora_A", a.array(manager));
      named.put(layers.get(0) + ".lora_B", b.array(manager));
      return;
    }
    int parts = layers.size();
    int width = Math.toIntExact(module.widths().get(0));
    boolean blockDiagonal = b.rows() % parts == 0 && b.isBlockDiagonal(parts, width);
    int r = b.rows() / parts;
    for (int p = 0; p < parts; p++) {
      Matrix partB = b.columns(p * width, (p + 1) * width);
      Matrix partA = a;
      if (blockDiagonal) {
        partA = a.columns(p * r, (p + 1) * r);
        partB = partB.rowRange(p * r, (p + 1) * r);
      }
      named.put(layers.get(p) + ".lora_A", partA.array(manager));
      named.put(layers.get(p) + ".lora_B", partB.array(manager));
    }
  }

  private static final Pattern KEY =
      Pattern.compile(Pattern.quote(KEY_PREFIX) + "(.+)\\.lora_([AB])\\.weight");

  /** The adapter's modules are of the base's family (header only). */
  private static void checkFamily(Path dir, ModelFamily family) throws IOException {
    for (String key : Safetensors.shapes(dir.resolve(WEIGHTS_FILE)).keySet()) {
      java.util.regex.Matcher m = KEY.matcher(key);
      ModelFamily other = m.matches() ? PeftModules.familyOfName(m.group(1)) : null;
      if (other != null && (other == ModelFamily.GPT2) != (family == ModelFamily.GPT2)) {
        throw new IllegalArgumentException(
            WEIGHTS_FILE
                + ": the adapter was trained on a "
                + other.modelType()
                + " model, but its base is "
                + family.modelType());
      }
    }
  }

  private static String moduleOf(
      String key, ModelFamily family, Map<String, PeftModules.Module> modules) {
    java.util.regex.Matcher m = KEY.matcher(key);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          WEIGHTS_FILE
              + ": "
              + key
              + " is not a LoRA weight (base_model.model.<module>.lora_A.weight or .lora_B.weight)");
    }
    String module = m.group(1);
    if (!modules.containsKey(module)) {
      throw new IllegalArgumentException(
          WEIGHTS_FILE
              + ": "
              + module
              + " is not a module a "
              + family.modelType()
              + " model adapts");
    }
    return module;
  }

  private static JsonNode suiteFilesConfig(Path dir, ModelFamily family) throws IOException {
    JsonNode config = JSON.readTree(dir.resolve(HfCheckpoint.LORA_CONFIG_FILE).toFile());
    String type = config.path("model_type").asText(family.modelType());
    if (!type.equals(family.modelType())) {
      throw new IllegalArgumentException(
          HfCheckpoint.LORA_CONFIG_FILE
              + ": its adapters were trained on a "
              + type
              + " model, but the base is "
              + family.modelType());
    }
    return config;
  }

  private static LoraAdapters readSuiteFiles(
      Path dir, LoraAdapters.Targets targets, NDManager manager) throws IOException {
    JsonNode config = suiteFilesConfig(dir, targets.family());
    Map<String, NDArray> named = new LinkedHashMap<>();
    Safetensors.forEach(
        dir.resolve(HfCheckpoint.LORA_FILE),
        (key, t) -> named.put(key, NativeArrays.copyOf(manager, t.data(), new Shape(t.shape()))));
    return LoraAdapters.of(
        targets, config.path("rank").asInt(), (float) config.path("alpha").asDouble(), named);
  }

  private static JsonNode config(Path dir) throws IOException {
    Path file = dir.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(file)) {
      throw new IOException("no " + CONFIG_FILE + " in " + dir);
    }
    return JSON.readTree(file.toFile());
  }
}
