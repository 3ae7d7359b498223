package io.llmft.models.gpt2;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import io.llmft.models.KvCache;
import io.llmft.models.engine.TorchScriptModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Every block of an fp32 model without adapters, and the final LayerNorm, as one TorchScript graph
 * for forward passes without gradients (evaluation, generation, serving): one call into libtorch
 * per pass instead of about 25 per layer, which is what a decoded token spent most of its time on.
 * It computes what {@link Gpt2Model}'s blocks compute — LayerNorm, the qkv projection, attention
 * over the cached and new keys (libtorch's scaled-dot-product kernel, the caller's additive mask),
 * the output projection, the tanh GELU MLP, both residuals — with the same kernels.
 */
final class ScriptedBlocks implements AutoCloseable {
  private final PtSymbolBlock module;
  private final IValue weights;
  private final long heads;
  private final long headDim;

  private ScriptedBlocks(PtSymbolBlock module, IValue weights, GptConfig config) {
    this.module = module;
    this.weights = weights;
    this.heads = config.nHeads();
    this.headDim = config.headDim();
  }

  static ScriptedBlocks load(Gpt2Weights w) {
    GptConfig c = w.config();
    boolean cpu = Device.Type.CPU.equals(w.manager().getDevice().getDeviceType());
    // oneDNN takes a projection's weight as (out, in): a transposed view made once, here, which
    // follows the optimizer's in-place updates, rather than a transpose in every forward pass
    UnaryOperator<NDArray> projection = cpu ? NDArray::transpose : UnaryOperator.identity();
    List<PtNDArray> arrays = new ArrayList<>();
    for (Gpt2Weights.Block b : w.blocks()) {
      add(arrays, b.norm1().weight(), b.norm1().bias());
      add(arrays, projection.apply(b.qkv().weight()), b.qkv().bias());
      add(arrays, projection.apply(b.attnOut().weight()), b.attnOut().bias());
      add(arrays, b.norm2().weight(), b.norm2().bias());
      add(arrays, projection.apply(b.fc().weight()), b.fc().bias());
      add(arrays, projection.apply(b.mlpOut().weight()), b.mlpOut().bias());
    }
    add(arrays, w.finalNorm().weight(), w.finalNorm().bias());
    PtSymbolBlock module = TorchScriptModule.load(w.manager(), "Blocks", source(c, cpu));
    return new ScriptedBlocks(module, IValue.listFrom(arrays.toArray(PtNDArray[]::new)), c);
  }

  private static void add(List<PtNDArray> arrays, NDArray... weights) {
    for (NDArray a : weights) {
      arrays.add((PtNDArray) a);
    }
  }

  /**
   * The final-LayerNorm hidden states of {@code x} (the embedded tokens, (B, T, C)) after every
   * block; with a cache, each layer's new keys and values are written into the cache's buffers in
   * place, after the cached ones.
   *
   * @param mask additive, broadcastable to (B, H, T, past + T)
   */
  NDArray run(NDArray x, NDArray mask, KvCache cache) {
    PtNDManager manager = (PtNDManager) x.getManager();
    long t = x.getShape().get(1);
    PtNDArray[] buffers =
        cache == null
            ? new PtNDArray[0]
            : java.util.Arrays.stream(cache.buffers(x, heads, headDim, (int) t))
                .map(PtNDArray.class::cast)
                .toArray(PtNDArray[]::new);
    IValue[] inputs = {
      IValue.from((PtNDArray) x),
      IValue.from((PtNDArray) mask),
      IValue.listFrom(buffers),
      IValue.from((long) (cache == null ? 0 : cache.length())),
      weights
    };
    try (IValue out = module.forward(inputs)) {
      return out.toTensor(manager);
    } finally {
      for (int i = 0; i < 4; i++) {
        inputs[i].close();
      }
    }
  }

  /**
   * {@code x W + bias} for a Conv1D weight W (in, out): on the CPU oneDNN's inner product with the
   * bias fused (over {@code W^T}, the (out, in) view {@link #load} passes), as {@link
   * io.llmft.models.engine.OneDnnLinear} runs the head; elsewhere a product and an addition. The
   * rows go in flattened to 2D: the kernel also takes (b, t, in), but decoding measured no faster
   * (67-69% of the bandwidth against 69-71%).
   */
  private static String linear(boolean cpu, String x, String w, String bias) {
    return cpu
        ? ("torch.reshape(ops.mkldnn._linear_pointwise(torch.reshape(%s, [b * t, -1]), %s, %s,"
                + " \"none\", annotate(List[Optional[number]], []), \"\"), [b, t, -1])")
            .formatted(x, w, bias)
        : "torch.add(torch.matmul(%s, %s), %s)".formatted(x, w, bias);
  }

  private static String source(GptConfig c, boolean cpu) {
    long width = c.embDim();
    String qkv = linear(cpu, "h", "w[o + 2]", "w[o + 3]");
    String attnOut = linear(cpu, "a", "w[o + 4]", "w[o + 5]");
    String fc = linear(cpu, "h", "w[o + 8]", "w[o + 9]");
    String mlpOut = linear(cpu, "h", "w[o + 10]", "w[o + 11]");
    return String.join(
            "\n",
            "class Blocks(Module):",
            "  __parameters__ = []",
            "  __buffers__ = []",
            "  training : bool",
            "  def forward(self: __torch__.Blocks,",
            "    x: Tensor,",
            "    mask: Tensor,",
            "    past: List[Tensor],",
            "    length: int,",
            "    w: List[Tensor]) -> Tensor:",
            "    b = torch.size(x, 0)",
            "    t = torch.size(x, 1)",
            "    cached = len(past) > 0",
            "    for i in range(%1$d):",
            "      o = i * 12",
            "      h = torch.layer_norm(x, [%2$d], w[o], w[o + 1], %5$s)",
            "      parts = torch.split(" + qkv + ", %2$d, 2)",
            "      q = torch.transpose(torch.reshape(parts[0], [b, t, %3$d, %4$d]), 1, 2)",
            "      k = torch.transpose(torch.reshape(parts[1], [b, t, %3$d, %4$d]), 1, 2)",
            "      v = torch.transpose(torch.reshape(parts[2], [b, t, %3$d, %4$d]), 1, 2)",
            "      if cached:",
            "        _k = torch.copy_(torch.narrow(past[2 * i], 2, length, t), k)",
            "        _v = torch.copy_(torch.narrow(past[2 * i + 1], 2, length, t), v)",
            "        k = torch.narrow(past[2 * i], 2, 0, torch.add(length, t))",
            "        v = torch.narrow(past[2 * i + 1], 2, 0, torch.add(length, t))",
            "      a = torch.scaled_dot_product_attention(q, k, v, mask)",
            "      a = torch.reshape(torch.transpose(a, 1, 2), [b, t, %2$d])",
            "      x = torch.add(x, " + attnOut + ")",
            "      h = torch.layer_norm(x, [%2$d], w[o + 6], w[o + 7], %5$s)",
            "      h = torch.gelu(" + fc + ", approximate=\"tanh\")",
            "      x = torch.add(x, " + mlpOut + ")",
            "    n = %1$d * 12",
            "    return torch.layer_norm(x, [%2$d], w[n], w[n + 1], %5$s)",
            "")
        .formatted(
            c.nLayers(),
            width,
            c.nHeads(),
            c.headDim(),
            String.format(Locale.ROOT, "%.10e", (double) GptConfig.LAYER_NORM_EPS));
  }

  @Override
  public void close() {
    weights.close();
    module.close();
  }
}
