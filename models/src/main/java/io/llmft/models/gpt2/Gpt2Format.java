package io.llmft.models.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.models.FamilyFormat;
import io.llmft.models.LoraAdapters;
import io.llmft.models.ModelConfig;
import io.llmft.models.ModelWeights;
import io.llmft.text.ConfigFields;
import io.llmft.text.Gpt2Tokenizer;
import io.llmft.text.Tokenizer;
import java.nio.file.Path;
import java.util.Map;

/**
 * GPT-2's files: {@code GPT2LMHeadModel}'s keys with or without the {@code transformer.} prefix,
 * the attention-mask buffers ignored, a missing {@code lm_head.weight} a head tied to {@code wte}
 * (it becomes its own parameter, initialised as a copy, as the book does); written with {@code
 * lm_head.weight} and {@code "tie_word_embeddings": false}.
 */
public final class Gpt2Format implements FamilyFormat {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Tokenizer tokenizer(Path dir) {
    return Gpt2Tokenizer.get();
  }

  /** GPT-2's BPE is built in. */
  @Override
  public void checkTokenizerFiles(Path dir) {}

  @Override
  public GptConfig readConfig(JsonNode c) {
    return new GptConfig(
        ConfigFields.positiveInt(c, "vocab_size", GptConfig.GPT2_VOCAB_SIZE),
        ConfigFields.positiveInt(c, "n_positions", "n_ctx"),
        ConfigFields.positiveInt(c, "n_embd"),
        ConfigFields.positiveInt(c, "n_layer"),
        ConfigFields.positiveInt(c, "n_head"));
  }

  @Override
  public ObjectNode configJson(ModelConfig modelConfig) {
    GptConfig config = (GptConfig) modelConfig;
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
    c.put("bos_token_id", Gpt2Tokenizer.END_OF_TEXT);
    c.put("eos_token_id", Gpt2Tokenizer.END_OF_TEXT);
    c.put("tie_word_embeddings", false);
    return c;
  }

  @Override
  public String parameterName(String fileKey) {
    return Gpt2Keys.fromHuggingFace(fileKey);
  }

  @Override
  public Map<String, Shape> shapes(ModelConfig config) {
    return Gpt2Keys.shapes((GptConfig) config);
  }

  @Override
  public Gpt2Weights fromNamed(ModelConfig config, Map<String, NDArray> arrays, NDManager manager) {
    try {
      Gpt2Keys.untieHead(arrays);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
    return Gpt2Keys.fromNamed((GptConfig) config, arrays, manager);
  }

  @Override
  public LoraAdapters.Targets adapterTargets(ModelConfig config) {
    return Gpt2Keys.adapterTargets((GptConfig) config);
  }

  @Override
  public ModelWeights randomInit(ModelConfig config, long seed, NDManager parent) {
    return Gpt2Weights.randomInit((GptConfig) config, seed, parent);
  }
}
