package io.llmft.models.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;

/**
 * libtorch's fused kernels for two parts of a GPT-2 block that DJL 0.36 does not expose, each one
 * call (one JNI crossing, one output) instead of a chain of elementwise operations, with autograd
 * through them (DJL runs TorchScript in training mode):
 *
 * <ul>
 *   <li>{@code gelu(x, approximate="tanh")}: the book's {@code GELU}, {@code 0.5 x (1 + tanh(sqrt(2
 *       / pi) (x + 0.044715 x^3)))}, instead of eleven operations;
 *   <li>{@code scaled_dot_product_attention(q, k, v, attn_mask)}: {@code softmax(q k^T / sqrt(D) +
 *       mask) v}, instead of six, without the (B, H, T, T) scores and weights kept for backward.
 * </ul>
 *
 * They compute what the operations they replace compute, up to float rounding.
 */
public final class FusedOps implements AutoCloseable {
  private static final String GELU =
      String.join(
          "\n",
          "class GeluTanh(Module):",
          "  __parameters__ = []",
          "  __buffers__ = []",
          "  training : bool",
          "  def forward(self: __torch__.GeluTanh,",
          "    x: Tensor) -> Tensor:",
          "    return torch.gelu(x, approximate=\"tanh\")",
          "");
  private static final String ATTENTION =
      String.join(
          "\n",
          "class Attention(Module):",
          "  __parameters__ = []",
          "  __buffers__ = []",
          "  training : bool",
          "  def forward(self: __torch__.Attention,",
          "    q: Tensor,",
          "    k: Tensor,",
          "    v: Tensor,",
          "    mask: Tensor) -> Tensor:",
          "    return torch.scaled_dot_product_attention(q, k, v, mask)",
          "");

  private final PtSymbolBlock gelu;
  private final PtSymbolBlock attention;
  private final ParameterStore store;

  private FusedOps(PtSymbolBlock gelu, PtSymbolBlock attention, NDManager manager) {
    this.gelu = gelu;
    this.attention = attention;
    this.store = new ParameterStore(manager, false);
  }

  /** Loads both kernels' modules on the manager's device. */
  public static FusedOps load(NDManager manager) {
    PtSymbolBlock gelu = TorchScriptModule.load(manager, "GeluTanh", GELU);
    try {
      return new FusedOps(gelu, TorchScriptModule.load(manager, "Attention", ATTENTION), manager);
    } catch (RuntimeException e) {
      gelu.close();
      throw e;
    }
  }

  /** GPT-2's GELU, the tanh form. */
  public NDArray geluTanh(NDArray x) {
    return gelu.forward(store, new NDList(TorchScriptModule.unnamed(x)), true).singletonOrThrow();
  }

  /**
   * {@code softmax(q k^T / sqrt(D) + mask) v}: q (B, H, T, D), k and v (B, H, S, D), mask additive
   * and broadcastable to (B, H, T, S) -> (B, H, T, D).
   */
  public NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask) {
    return attention
        .forward(
            store,
            new NDList(
                TorchScriptModule.unnamed(q),
                TorchScriptModule.unnamed(k),
                TorchScriptModule.unnamed(v),
                TorchScriptModule.unnamed(mask)),
            true)
        .singletonOrThrow();
  }

  @Override
  public void close() {
    gelu.close();
    attention.close();
  }
}
