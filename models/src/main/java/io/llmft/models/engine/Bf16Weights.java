package io.llmft.models.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;

/**
 * {@code w.to(bfloat16)}, once, for weights served in bfloat16: half the memory of fp32 and half
 * the bytes each decoded token reads. DJL 0.36 cannot cast to bfloat16 itself (asking for the type
 * aborts in native code), so a TorchScript module does; the array it returns is then used only as
 * an operand of {@link Bf16MatMul}, whose cast of a bfloat16 operand to bfloat16 is a no-op.
 */
public final class Bf16Weights implements AutoCloseable {
  private static final String SOURCE =
      String.join(
          "\n",
          "class ToBf16(Module):",
          "  __parameters__ = []",
          "  __buffers__ = []",
          "  training : bool",
          "  def forward(self: __torch__.ToBf16,",
          "    a: Tensor) -> Tensor:",
          // ScalarType 15 is bfloat16
          "    return torch.to(torch.detach(a), 15)",
          "");

  private final PtSymbolBlock block;
  private final ParameterStore store;

  private Bf16Weights(PtSymbolBlock block, NDManager manager) {
    this.block = block;
    this.store = new ParameterStore(manager, false);
  }

  /** Loads the module on the manager's device. */
  public static Bf16Weights load(NDManager manager) {
    return new Bf16Weights(TorchScriptModule.load(manager, "ToBf16", SOURCE), manager);
  }

  /** A bfloat16 copy of {@code a} in {@code manager}; {@code a} is left as it is. */
  public NDArray copy(NDArray a, NDManager manager) {
    NDArray view = TorchScriptModule.unnamed(a);
    try {
      NDArray out = block.forward(store, new NDList(view), false).singletonOrThrow();
      out.attach(manager);
      return out;
    } finally {
      if (view != a) {
        view.close(); // else the view keeps the fp32 storage alive after its owner closes it
      }
    }
  }

  @Override
  public void close() {
    block.close();
  }
}
