package io.llmft.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.core.FileTrees;
import io.llmft.core.engine.NativeArrays;
import io.llmft.core.text.Gpt2TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Hugging Face GPT-2 checkpoints: a directory with {@code config.json} and {@code
 * model.safetensors}. Reads keys with or without the {@code transformer.} prefix, ignores the
 * attention-mask buffers, and treats a missing {@code lm_head.weight} as a head tied to {@code wte}
 * (it becomes its own parameter, initialised as a copy, as the book does). Writes the {@code
 * GPT2LMHeadModel} layout with {@code lm_head.weight} and {@code "tie_word_embeddings": false};
 * LoRA adapters are merged into those weights and also written alone ({@link #LORA_FILE}). The
 * tokenizer's files ({@link Gpt2TokenizerFiles}) go beside them.
 */
public final class HfCheckpoint {
  public static final String CONFIG_FILE = "config.json";
  public static final String WEIGHTS_FILE = "model.safetensors";

  /** The LoRA adapters alone, beside the merged weights, when a model was finetuned with LoRA. */
  public static final String LORA_FILE = "lora_adapters.safetensors";

  public static final String LORA_CONFIG_FILE = "lora_config.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private HfCheckpoint() {}

  /** Whether {@code dir} holds both files of a checkpoint. */
  public static boolean isCheckpoint(Path dir) {
    return Files.isRegularFile(dir.resolve(CONFIG_FILE))
        && Files.isRegularFile(dir.resolve(WEIGHTS_FILE));
  }

  public static GptConfig readConfig(Path dir) throws IOException {
    Path file = dir.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(file)) {
      throw new IOException("no " + CONFIG_FILE + " in " + dir);
    }
    JsonNode c = JSON.readTree(file.toFile());
    int context = c.has("n_positions") ? c.get("n_positions").asInt() : c.path("n_ctx").asInt();
    return new GptConfig(
        c.path("vocab_size").asInt(GptConfig.GPT2_VOCAB_SIZE),
        context,
        c.path("n_embd").asInt(),
        c.path("n_layer").asInt(),
        c.path("n_head").asInt());
  }

  /** An fp32 model without adapters from the checkpoint in {@code dir}. */
  public static Gpt2Model load(Path dir, NDManager parent) throws IOException {
    return Gpt2Model.of(loadWeights(dir, parent));
  }

  /** The weights of the checkpoint in {@code dir}, in a new sub-manager of {@code parent}. */
  public static Gpt2Weights loadWeights(Path dir, NDManager parent) throws IOException {
    GptConfig config = readConfig(dir);
    Path weights = dir.resolve(WEIGHTS_FILE);
    if (!Files.isRegularFile(weights)) {
      throw new IOException("no " + WEIGHTS_FILE + " in " + dir);
    }
    Map<String, ai.djl.ndarray.types.Shape> expected = CheckpointKeys.shapes(config);
    NDManager manager = parent.newSubManager();
    Map<String, NDArray> arrays = new LinkedHashMap<>();
    try {
      // one tensor at a time from the file into the engine: the Java heap holds at most one
      Safetensors.forEach(
          weights,
          (key, tensor) -> {
            String name = CheckpointKeys.fromHuggingFace(key);
            if (name == null) {
              return;
            }
            ai.djl.ndarray.types.Shape shape = expected.get(name);
            if (shape == null) {
              throw new IOException("unexpected tensor " + key + " in " + weights);
            }
            if (!java.util.Arrays.equals(shape.getShape(), tensor.shape())) {
              throw new IOException(
                  "tensor "
                      + key
                      + " has shape "
                      + java.util.Arrays.toString(tensor.shape())
                      + ", expected "
                      + shape);
            }
            arrays.put(name, NativeArrays.copyOf(manager, tensor.data(), shape));
          });
      CheckpointKeys.untieHead(arrays);
    } catch (IOException | RuntimeException ex) {
      manager.close();
      throw ex;
    }
    try {
      return CheckpointKeys.fromNamed(config, arrays, manager);
    } catch (IllegalArgumentException ex) {
      throw new IOException(weights + ": " + ex.getMessage(), ex);
    }
  }

  /**
   * Writes the model to {@code dir} atomically: a sibling temporary directory renamed into place.
   */
  public static void save(Gpt2Model model, Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve("." + dir.getFileName() + ".tmp-" + UUID.randomUUID());
    Files.createDirectories(tmp);
    try {
      try (NDScope scope = new NDScope()) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.mergedParameters().entrySet()) {
          tensors.put(CheckpointKeys.toHuggingFace(e.getKey()), e.getValue());
        }
        Safetensors.write(tmp.resolve(WEIGHTS_FILE), tensors);
      }
      if (model.adapter() instanceof LoraAdapters lora) {
        Safetensors.write(tmp.resolve(LORA_FILE), lora.parameters());
        JSON.writerWithDefaultPrettyPrinter()
            .writeValue(
                tmp.resolve(LORA_CONFIG_FILE).toFile(),
                JSON.createObjectNode().put("rank", lora.rank()).put("alpha", lora.alpha()));
      }
      JSON.writerWithDefaultPrettyPrinter()
          .writeValue(tmp.resolve(CONFIG_FILE).toFile(), configJson(model.config()));
      Gpt2TokenizerFiles.write(tmp);
      if (Files.exists(dir)) {
        FileTrees.deleteRecursively(dir);
      }
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException ex) {
      FileTrees.deleteRecursively(tmp);
      throw ex;
    }
  }

  static ObjectNode configJson(GptConfig config) {
    ObjectNode c = JSON.createObjectNode();
    c.put("model_type", "gpt2");
    c.putArray("architectures").add("GPT2LMHeadModel");
    c.put("vocab_size", config.vocabSize());
    c.put("n_positions", config.contextLength());
    c.put("n_ctx", config.contextLength());
    c.put("n_embd", config.embDim());
    c.put("n_layer", config.nLayers());
    c.put("n_head", config.nHeads());
    c.put("layer_norm_epsilon", (double) GptConfig.LAYER_NORM_EPS);
    c.put("activation_function", "gelu_new");
    c.put("resid_pdrop", 0.0);
    c.put("embd_pdrop", 0.0);
    c.put("attn_pdrop", 0.0);
    c.put("bos_token_id", 50256);
    c.put("eos_token_id", 50256);
    c.put("tie_word_embeddings", false);
    return c;
  }
}
