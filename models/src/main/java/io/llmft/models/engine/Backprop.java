package io.llmft.models.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A loss and its gradients with respect to parameters, as new arrays: {@code torch.autograd.grad}.
 * Nothing accumulates into the parameters' {@code .grad}, so nothing is zeroed before the next step
 * either; that is what PyTorch's own loop costs, where {@code optimizer.zero_grad()} sets the
 * gradients to None and {@code loss.backward()} then moves each new gradient into {@code .grad}.
 * DJL 0.36 binds only {@code backward} into existing {@code .grad} tensors, which would add every
 * gradient onto a zeroed copy (two passes over all of them a step: 0.2 s of a gpt2-medium step).
 * The module is loaded on a model's manager and closed with it. DJL runs a module's methods in
 * inference mode, so the gradients are inference tensors: read them, or add them out of place.
 */
public final class Backprop {
  private static final String SOURCE =
      String.join(
          "\n",
          "class Backprop(Module):",
          "  __parameters__ = []",
          "  __buffers__ = []",
          "  training : bool",
          "  def forward(self: __torch__.Backprop,",
          "    loss: Tensor,",
          "    inputs: List[Tensor]) -> List[Tensor]:",
          "    grads = torch.autograd.grad([loss], inputs, None, False, False, True)",
          "    out: List[Tensor] = []",
          "    for i in range(len(inputs)):",
          "      g = grads[i]",
          "      if g is None:",
          "        out.append(torch.zeros_like(inputs[i]))",
          "      else:",
          "        out.append(g)",
          "    return out",
          "");

  private final PtSymbolBlock module;

  private Backprop(PtSymbolBlock module) {
    this.module = module;
  }

  /** Loads the module on the manager's device; it lives as long as the manager. */
  public static Backprop load(NDManager manager) {
    return new Backprop(TorchScriptModule.load(manager, "Backprop", SOURCE));
  }

  /** A loss's value and its gradients, named as the parameters they belong to. */
  public record Result(double loss, Map<String, NDArray> gradients) {}

  /**
   * Builds the loss with grad mode on and returns its value and {@link #gradients}; grad mode is
   * off again afterwards.
   */
  public Result run(Supplier<NDArray> loss, Map<String, NDArray> parameters, NDManager owner) {
    JniUtils.setGradMode(true);
    try (NDScope scope = new NDScope()) {
      NDArray value = loss.get();
      return new Result(value.getFloat(), gradients(value, parameters, owner));
    } finally {
      JniUtils.setGradMode(false);
    }
  }

  /**
   * The gradient of {@code loss} (built with grad mode on) with respect to each of {@code
   * parameters}, zeros for one it does not depend on, attached to {@code owner}; frees the loss's
   * graph.
   */
  public Map<String, NDArray> gradients(
      NDArray loss, Map<String, NDArray> parameters, NDManager owner) {
    PtNDArray[] grads;
    IValue[] args = {
      IValue.from((PtNDArray) loss), IValue.listFrom(parameters.values().toArray(PtNDArray[]::new))
    };
    try (IValue out = module.forward(args)) {
      grads = out.toTensorArray((PtNDManager) owner);
    } finally {
      for (IValue arg : args) {
        arg.close();
      }
    }
    Map<String, NDArray> gradients = new LinkedHashMap<>();
    List<String> names = List.copyOf(parameters.keySet());
    for (int i = 0; i < grads.length; i++) {
      NDScope.unregister(grads[i]);
      gradients.put(names.get(i), grads[i]);
    }
    return gradients;
  }
}
