package io.llmft.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.models.FamilyFormat;
import io.llmft.models.LoraAdapters;
import io.llmft.models.ModelConfig;
import io.llmft.models.ModelFamily;
import io.llmft.models.ModelWeights;
import io.llmft.text.ConfigFields;
import io.llmft.text.HfTokenizer;
import io.llmft.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files of {@code LlamaForCausalLM} ({@code model_type: llama}) and {@code Qwen3ForCausalLM}
 * ({@code qwen3}): their config fields, keys as {@link LlamaKeys} names them, the rotary buffers of
 * older files ignored; written fp32 in the same layout, tied heads tied.
 */
public final class LlamaFormat implements FamilyFormat {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ModelFamily family;
  private final boolean qwen3;

  /** The format of {@code family}: {@link ModelFamily#LLAMA} or {@link ModelFamily#QWEN3}. */
  public LlamaFormat(ModelFamily family) {
    if (family != ModelFamily.LLAMA && family != ModelFamily.QWEN3) {
      throw new IllegalArgumentException("not a family of the Llama decoder: " + family);
    }
    this.family = family;
    this.qwen3 = family == ModelFamily.QWEN3;
  }

  @Override
  public Tokenizer tokenizer(Path dir) throws IOException {
    return HfTokenizer.load(dir);
  }

  @Override
  public void checkTokenizerFiles(Path dir) throws IOException {
    HfTokenizer.checkPresent(dir);
  }

  @Override
  public LlamaConfig readConfig(JsonNode c) {
    for (String bias : new String[] {"attention_bias", "mlp_bias"}) {
      if (c.path(bias).asBoolean(false)) {
        throw new IllegalArgumentException(
            "config.json: " + bias + " true is not supported (no biases)");
      }
    }
    String act = c.path("hidden_act").asText("silu");
    if (!act.equals("silu")) {
      throw new IllegalArgumentException("config.json: hidden_act must be silu, got " + act);
    }
    int hidden = ConfigFields.positiveInt(c, "hidden_size");
    int heads = ConfigFields.positiveInt(c, "num_attention_heads");
    JsonNode bos = c.get("bos_token_id");
    return new LlamaConfig(
        family,
        ConfigFields.positiveInt(c, "vocab_size"),
        ConfigFields.positiveInt(c, "max_position_embeddings"),
        hidden,
        ConfigFields.positiveInt(c, "intermediate_size"),
        ConfigFields.positiveInt(c, "num_hidden_layers"),
        heads,
        ConfigFields.positiveInt(c, "num_key_value_heads", heads),
        ConfigFields.positiveInt(c, "head_dim", hidden / heads),
        ConfigFields.positiveNumber(c, "rms_norm_eps", qwen3 ? 1e-6 : 1e-5),
        ConfigFields.positiveNumber(c, "rope_theta", qwen3 ? 1e6 : 5e5),
        ropeScaling(c.get("rope_scaling")),
        c.path("tie_word_embeddings").asBoolean(false),
        qwen3,
        bos == null || !bos.isInt() ? null : bos.asInt(),
        ConfigFields.ids(c, "eos_token_id"));
  }

  /** {@code rope_scaling}: null, {@code default}, or Llama 3's (older files say {@code type}). */
  private static LlamaConfig.RopeScaling ropeScaling(JsonNode s) {
    if (s == null || s.isNull()) {
      return null;
    }
    String type = s.has("rope_type") ? s.path("rope_type").asText() : s.path("type").asText();
    if (type.equals("default")) {
      return null;
    }
    if (!type.equals("llama3")) {
      throw new IllegalArgumentException(
          "config.json: rope_scaling.rope_type '"
              + type
              + "' is not supported (llama3 or default)");
    }
    return new LlamaConfig.RopeScaling(
        number(s, "factor"),
        number(s, "low_freq_factor"),
        number(s, "high_freq_factor"),
        ConfigFields.positiveInt(s, "original_max_position_embeddings"));
  }

  private static double number(JsonNode s, String field) {
    double v = ConfigFields.positiveNumber(s, field, Double.NaN);
    if (Double.isNaN(v)) {
      throw new IllegalArgumentException("config.json: rope_scaling." + field + " is missing");
    }
    return v;
  }

  @Override
  public ObjectNode configJson(ModelConfig modelConfig) {
    LlamaConfig config = (LlamaConfig) modelConfig;
    ObjectNode c = JSON.createObjectNode();
    c.put("model_type", family.modelType());
    c.putArray("architectures").add(qwen3 ? "Qwen3ForCausalLM" : "LlamaForCausalLM");
    c.put("vocab_size", config.vocabSize());
    c.put("hidden_size", config.hiddenSize());
    c.put("intermediate_size", config.intermediateSize());
    c.put("num_hidden_layers", config.nLayers());
    c.put("num_attention_heads", config.nHeads());
    c.put("num_key_value_heads", config.nKvHeads());
    c.put("head_dim", config.headDim());
    c.put("max_position_embeddings", config.contextLength());
    c.put("rms_norm_eps", config.normEps());
    c.put("rope_theta", config.ropeTheta());
    if (config.ropeScaling() != null) {
      LlamaConfig.RopeScaling s = config.ropeScaling();
      c.putObject("rope_scaling")
          .put("rope_type", "llama3")
          .put("factor", s.factor())
          .put("low_freq_factor", s.lowFreqFactor())
          .put("high_freq_factor", s.highFreqFactor())
          .put("original_max_position_embeddings", s.originalContextLength());
    } else {
      c.putNull("rope_scaling");
    }
    c.put("hidden_act", "silu");
    c.put("attention_bias", false);
    c.put("mlp_bias", false);
    c.put("tie_word_embeddings", config.tiedHead());
    if (config.bosTokenId() != null) {
      c.put("bos_token_id", config.bosTokenId());
    }
    int[] eos = config.eosTokenIds();
    if (eos.length == 1) {
      c.put("eos_token_id", eos[0]);
    } else if (eos.length > 1) {
      ArrayNode ids = c.putArray("eos_token_id");
      Arrays.stream(eos).forEach(ids::add);
    }
    c.put("torch_dtype", "float32");
    return c;
  }

  @Override
  public String parameterName(String fileKey) {
    return fileKey.endsWith("rotary_emb.inv_freq") ? null : fileKey;
  }

  @Override
  public Map<String, Shape> shapes(ModelConfig config) {
    return LlamaKeys.shapes((LlamaConfig) config);
  }

  @Override
  public LlamaWeights fromNamed(
      ModelConfig config, Map<String, NDArray> arrays, NDManager manager) {
    return LlamaKeys.fromNamed((LlamaConfig) config, arrays, manager);
  }

  @Override
  public LoraAdapters.Targets adapterTargets(ModelConfig config) {
    return LlamaKeys.adapterTargets((LlamaConfig) config);
  }

  /**
   * Normal(0, 0.02) projections and embedding, norm scales 1, drawn by libtorch from {@code seed}
   * (a 1B-shaped model in seconds; the same seed gives the same weights on the same engine).
   */
  @Override
  public ModelWeights randomInit(ModelConfig modelConfig, long seed, NDManager parent) {
    LlamaConfig config = (LlamaConfig) modelConfig;
    ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
    NDManager manager = parent.newSubManager();
    try {
      Map<String, NDArray> arrays = new LinkedHashMap<>();
      Map<String, Shape> shapes = LlamaKeys.shapes(config);
      if (config.tiedHead()) {
        shapes.remove(LlamaKeys.HEAD);
      }
      shapes.forEach(
          (name, shape) ->
              arrays.put(
                  name,
                  LlamaKeys.isNormScale(name)
                      ? manager.ones(shape)
                      : manager.randomNormal(
                          0f, 0.02f, shape, ai.djl.ndarray.types.DataType.FLOAT32)));
      return LlamaKeys.fromNamed(config, arrays, manager);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }
}
