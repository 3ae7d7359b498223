package io.llmft.models.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;

/**
 * {@code matmul(a.to(bfloat16), b.to(bfloat16)).to(float32)} with autograd. DJL 0.36 cannot express
 * it directly: its PyTorch binding has no bfloat16 type (asking for one aborts the process in
 * native code) and runs dtype casts without autograd. A TorchScript module can, and DJL runs
 * TorchScript in training mode with autograd, so gradients flow back through both casts to the fp32
 * operands.
 */
public final class Bf16MatMul implements MatMul {
  private static final String SOURCE =
      String.join(
          "\n",
          "class Bf16MatMul(Module):",
          "  __parameters__ = []",
          "  __buffers__ = []",
          "  training : bool",
          "  def forward(self: __torch__.Bf16MatMul,",
          "    a: Tensor,",
          "    b: Tensor) -> Tensor:",
          // ScalarType 15 is bfloat16, 6 is float32
          "    product = torch.matmul(torch.to(a, 15), torch.to(b, 15))",
          "    return torch.to(product, 6)",
          "");

  private final PtSymbolBlock block;
  private final ParameterStore store;

  private Bf16MatMul(PtSymbolBlock block, NDManager manager) {
    this.block = block;
    this.store = new ParameterStore(manager, false);
  }

  /** Loads the module on the manager's device. */
  public static Bf16MatMul load(NDManager manager) {
    return new Bf16MatMul(TorchScriptModule.load(manager, "Bf16MatMul", SOURCE), manager);
  }

  /** (..., n, k) x (..., k, m) -> (..., n, m) in bfloat16, returned as float32. */
  @Override
  public NDArray apply(NDArray a, NDArray b) {
    // training mode: TorchScript records autograd (it follows the thread's grad mode)
    return block
        .forward(
            store, new NDList(TorchScriptModule.unnamed(a), TorchScriptModule.unnamed(b)), true)
        .singletonOrThrow();
  }

  @Override
  public void close() {
    block.close();
  }
}
