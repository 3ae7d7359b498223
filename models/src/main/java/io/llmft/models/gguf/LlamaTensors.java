package io.llmft.models.gguf;

import io.llmft.models.ModelFamily;
import io.llmft.models.llama.LlamaConfig;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Llama 3.2 as llama.cpp's {@code llama} architecture and Qwen3 as {@code qwen3}. llama.cpp's
 * {@code llama} rotates adjacent pairs of a head's dimensions, Hugging Face's Llama the two halves:
 * the q and k rows are reordered as llama.cpp's converter does ({@code LlamaModel.permute}); Qwen3
 * rotates halves in llama.cpp too and is written as it is. Llama 3's RoPE scaling becomes the
 * {@code rope_freqs} tensor of per-frequency divisors.
 */
final class LlamaTensors implements ArchitectureTensors {
  private static final Pattern BLOCK = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)\\.weight");

  private static final Map<String, String> BLOCK_NAMES =
      Map.ofEntries(
          Map.entry("input_layernorm", "attn_norm"),
          Map.entry("self_attn.q_proj", "attn_q"),
          Map.entry("self_attn.k_proj", "attn_k"),
          Map.entry("self_attn.v_proj", "attn_v"),
          Map.entry("self_attn.o_proj", "attn_output"),
          Map.entry("self_attn.q_norm", "attn_q_norm"),
          Map.entry("self_attn.k_norm", "attn_k_norm"),
          Map.entry("post_attention_layernorm", "ffn_norm"),
          Map.entry("mlp.gate_proj", "ffn_gate"),
          Map.entry("mlp.up_proj", "ffn_up"),
          Map.entry("mlp.down_proj", "ffn_down"));

  private final LlamaConfig config;

  LlamaTensors(LlamaConfig config) {
    this.config = config;
  }

  @Override
  public String architecture() {
    return config.family() == ModelFamily.QWEN3 ? "qwen3" : "llama";
  }

  @Override
  public void putHyperparameters(GgufWriter w) {
    String a = architecture() + ".";
    w.putUint32(a + "vocab_size", config.vocabSize())
        .putUint32(a + "context_length", config.contextLength())
        .putUint32(a + "embedding_length", config.hiddenSize())
        .putUint32(a + "block_count", config.nLayers())
        .putUint32(a + "feed_forward_length", config.intermediateSize())
        .putUint32(a + "attention.head_count", config.nHeads())
        .putUint32(a + "attention.head_count_kv", config.nKvHeads())
        .putUint32(a + "attention.key_length", config.headDim())
        .putUint32(a + "attention.value_length", config.headDim())
        .putFloat32(a + "attention.layer_norm_rms_epsilon", config.normEps())
        .putUint32(a + "rope.dimension_count", config.headDim())
        .putFloat32(a + "rope.freq_base", config.ropeTheta());
  }

  @Override
  public Mapped map(String parameter, long[] shape) {
    switch (parameter) {
      case "model.embed_tokens.weight":
        return new Mapped("token_embd.weight", shape, UnaryOperator.identity());
      case "model.norm.weight":
        return new Mapped("output_norm.weight", shape, UnaryOperator.identity());
      case "lm_head.weight":
        return config.tiedHead()
            ? null
            : new Mapped("output.weight", shape, UnaryOperator.identity());
      default:
        break;
    }
    Matcher m = BLOCK.matcher(parameter);
    String module = m.matches() ? BLOCK_NAMES.get(m.group(2)) : null;
    if (module == null) {
      throw new IllegalArgumentException(
          config.family().modelType() + " tensor " + parameter + " has no GGUF name");
    }
    String name = "blk." + m.group(1) + "." + module + ".weight";
    boolean rotatesPairs = config.family() == ModelFamily.LLAMA;
    if (rotatesPairs && module.equals("attn_q")) {
      return new Mapped(name, shape, v -> pairedRows(v, config.nHeads(), shape[1]));
    }
    if (rotatesPairs && module.equals("attn_k")) {
      return new Mapped(name, shape, v -> pairedRows(v, config.nKvHeads(), shape[1]));
    }
    return new Mapped(name, shape, UnaryOperator.identity());
  }

  /**
   * The rows of a (heads * D, C) projection reordered within each head from (2, D/2) to (D/2, 2):
   * row {@code i * 2 + j} of a head is its row {@code j * D/2 + i}.
   */
  private static float[] pairedRows(float[] w, int heads, long cols) {
    int c = (int) cols;
    int d = w.length / c / heads;
    float[] out = new float[w.length];
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < d / 2; i++) {
        for (int j = 0; j < 2; j++) {
          int from = h * d + j * (d / 2) + i;
          int to = h * d + i * 2 + j;
          System.arraycopy(w, from * c, out, to * c, c);
        }
      }
    }
    return out;
  }

  @Override
  public List<Computed> computed() {
    LlamaConfig.RopeScaling s = config.ropeScaling();
    if (s == null) {
      return List.of();
    }
    return List.of(new Computed("rope_freqs.weight", ropeFactors(s)));
  }

  /**
   * What each rotary frequency is divided by under Llama 3's scaling, as llama.cpp's converter
   * computes it: 1 for short wavelengths, {@code factor} for long ones, smoothed between.
   */
  private float[] ropeFactors(LlamaConfig.RopeScaling s) {
    int dim = config.headDim();
    double lowWavelen = s.originalContextLength() / s.lowFreqFactor();
    double highWavelen = s.originalContextLength() / s.highFreqFactor();
    float[] factors = new float[dim / 2];
    for (int i = 0; i < factors.length; i++) {
      float freq = (float) (1.0 / Math.pow(config.ropeTheta(), (float) (2 * i) / dim));
      double wavelen = 2 * Math.PI / freq;
      if (wavelen < highWavelen) {
        factors[i] = 1;
      } else if (wavelen > lowWavelen) {
        factors[i] = (float) s.factor();
      } else {
        double smooth =
            (s.originalContextLength() / wavelen - s.lowFreqFactor())
                / (s.highFreqFactor() - s.lowFreqFactor());
        factors[i] = (float) (1 / ((1 - smooth) / s.factor() + smooth));
      }
    }
    return factors;
  }
}
