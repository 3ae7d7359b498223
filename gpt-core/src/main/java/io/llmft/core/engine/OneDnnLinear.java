package io.llmft.core.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;

/**
 * {@code x W^T} for a weight stored (out, in), as oneDNN's inner product ({@code
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

  private OneDnnLinear(PtSymbolBlock module, NDManager manager) {
    this.module = module;
    this.store = new ParameterStore(manager, false);
  }

  /** The kernel for arrays of {@code manager}'s device, or null off the CPU. */
  public static OneDnnLinear loadOnCpu(NDManager manager) {
    if (!Device.Type.CPU.equals(manager.getDevice().getDeviceType())) {
      return null;
    }
    return new OneDnnLinear(TorchScriptModule.load(manager, "OneDnnLinear", SOURCE), manager);
  }

  /** {@code x W^T}: x (..., in), weight (out, in) -> (..., out). */
  public NDArray apply(NDArray x, NDArray weight) {
    Shape shape = x.getShape();
    long in = shape.get(shape.dimension() - 1);
    NDArray rows = TorchScriptModule.unnamed(x.reshape(-1, in));
    NDArray y =
        module
            .forward(store, new NDList(rows, TorchScriptModule.unnamed(weight)), false)
            .singletonOrThrow();
    long[] out = shape.getShape().clone();
    out[out.length - 1] = weight.getShape().get(0);
    return y.reshape(out);
  }

  @Override
  public void close() {
    module.close();
  }
}
