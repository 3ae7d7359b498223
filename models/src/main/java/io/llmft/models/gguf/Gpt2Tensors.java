package io.llmft.models.gguf;

import io.llmft.models.gpt2.GptConfig;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2 as llama.cpp's {@code gpt2} architecture: the fused {@code c_attn} is {@code attn_qkv}; the
 * Conv1D weights, stored (in, out), are transposed to llama.cpp's (out, in).
 */
final class Gpt2Tensors implements ArchitectureTensors {
  private static final Pattern BLOCK = Pattern.compile("h\\.(\\d+)\\.(.+)\\.(weight|bias)");

  /** A block's Hugging Face module and llama.cpp's name for it. */
  private static final Map<String, String> BLOCK_NAMES =
      Map.of(
          "ln_1", "attn_norm",
          "attn.c_attn", "attn_qkv",
          "attn.c_proj", "attn_output",
          "ln_2", "ffn_norm",
          "mlp.c_fc", "ffn_up",
          "mlp.c_proj", "ffn_down");

  private static final Map<String, String> TOP_NAMES =
      Map.of(
          "wte.weight", "token_embd.weight",
          "wpe.weight", "position_embd.weight",
          "ln_f.weight", "output_norm.weight",
          "ln_f.bias", "output_norm.bias",
          "lm_head.weight", "output.weight");

  private final GptConfig config;

  Gpt2Tensors(GptConfig config) {
    this.config = config;
  }

  @Override
  public String architecture() {
    return "gpt2";
  }

  @Override
  public void putHyperparameters(GgufWriter w) {
    w.putUint32("gpt2.context_length", config.contextLength())
        .putUint32("gpt2.embedding_length", config.embDim())
        .putUint32("gpt2.feed_forward_length", 4L * config.embDim())
        .putUint32("gpt2.block_count", config.nLayers())
        .putUint32("gpt2.attention.head_count", config.nHeads())
        .putFloat32("gpt2.attention.layer_norm_epsilon", GptConfig.LAYER_NORM_EPS);
  }

  @Override
  public Mapped map(String parameter, long[] shape) {
    String top = TOP_NAMES.get(parameter);
    if (top != null) {
      return new Mapped(top, shape, UnaryOperator.identity());
    }
    Matcher m = BLOCK.matcher(parameter);
    String module = m.matches() ? BLOCK_NAMES.get(m.group(2)) : null;
    if (module == null) {
      throw new IllegalArgumentException("GPT-2 tensor " + parameter + " has no GGUF name");
    }
    String name = "blk." + m.group(1) + "." + module + "." + m.group(3);
    if (shape.length == 2) { // a Conv1D weight (in, out)
      int in = (int) shape[0];
      int out = (int) shape[1];
      return new Mapped(
          name, new long[] {out, in}, v -> ArchitectureTensors.transposed(v, in, out));
    }
    return new Mapped(name, shape, UnaryOperator.identity());
  }

  @Override
  public List<Computed> computed() {
    return List.of();
  }
}
