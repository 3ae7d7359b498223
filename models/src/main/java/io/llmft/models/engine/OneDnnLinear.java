package io.llmft.models.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;

/**
 * {@code x W^T} for one weight stored (out, in), as oneDNN's inner product ({@code
 * mkldnn::_linear_pointwise}, the kernel PyTorch's CPU compiler emits for {@code nn.Linear})
 * instead of MKL's {@code sgemm}. Where it pays: the output head of a decoded token, a
 * matrix-vector product over 50,257 rows, where MKL read the weight at about half the machine's
 * streaming rate and oneDNN reads it about half as fast again (gpt2-small's head: 10.3 ms a token
 * against 6.6 ms). No gradient flows through it: for passes without one, on the CPU only. The same
 * values up to float rounding (another order of summation).
 */
public final class OneDnnLinear implements AutoCloseable {
  private static final String SOURCE =
      String.join(
          "\n",
          "class OneDnnLinear(Module):",
          "  __parameters__ = []",
          "  __buffers__ = []",
          "  training : bool",
          "  def forward(self: __torch__.OneDnnLinear,",
          "    x: Tensor,",
          "    w: Tensor) -> Tensor:",
          "    return ops.mkldnn._linear_pointwise(x, w, None, \"none\","
              + " annotate(List[Optional[number]], []), \"\")",
          "");

  private final PtSymbolBlock module;
  private final ParameterStore store;
  private final NDArray weight;

  private OneDnnLinear(PtSymbolBlock module, NDManager manager, NDArray weight) {
    this.module = module;
    this.store = new ParameterStore(manager, false);
    this.weight = TorchScriptModule.unnamed(weight); // a view: it follows in-place updates
  }

  /** The kernel for {@code weight} (out, in), or null off the CPU. */
  public static OneDnnLinear loadOnCpu(NDArray weight) {
    NDManager manager = weight.getManager();
    if (!Device.Type.CPU.equals(manager.getDevice().getDeviceType())) {
      return null;
    }
    return new OneDnnLinear(
        TorchScriptModule.load(manager, "OneDnnLinear", SOURCE), manager, weight);
  }

  /** {@code x W^T}: x (..., in) -> (..., out). */
  public NDArray apply(NDArray x) {
    return module
        .forward(store, new NDList(TorchScriptModule.unnamed(x), weight), false)
        .singletonOrThrow();
  }

  @Override
  public void close() {
    module.close();
  }
}
