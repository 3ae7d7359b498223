package io.llmft.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import io.llmft.models.engine.GradMode;
import io.llmft.models.engine.NativeArrays;
import io.llmft.models.engine.TorchScriptModule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.AdamW}: decoupled weight decay {@code p *= 1 - lr*wd}, moments {@code m = b1*m
 * + (1-b1)*g}, {@code v = b2*v + (1-b2)*g^2}, and {@code p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) +
 * eps)}. The update is PyTorch's own fused kernel ({@code torch._fused_adamw_}, what {@code
 * AdamW(fused=True)} runs): one pass over each parameter, its gradient and both moments, in place,
 * with no temporaries. DJL does not expose the kernel, so it runs in a small TorchScript module.
 * State lives in its own manager.
 */
public final class AdamW implements AutoCloseable {
  public static final double DEFAULT_BETA1 = 0.9;
  public static final double DEFAULT_BETA2 = 0.999;
  public static final double DEFAULT_EPS = 1e-8;
  private static final String FIRST = "exp_avg.";
  private static final String SECOND = "exp_avg_sq.";
  private static final String SOURCE =
      String.join(
          "\n",
          "class FusedAdamW(Module):",
          "  __parameters__ = []",
          "  __buffers__ = []",
          "  training : bool",
          "  def forward(self: __torch__.FusedAdamW,",
          "    params: List[Tensor],",
          "    grads: List[Tensor],",
          "    exp_avgs: List[Tensor],",
          "    exp_avg_sqs: List[Tensor],",
          "    steps: List[Tensor],",
          "    lr: float,",
          "    beta1: float,",
          "    beta2: float,",
          "    weight_decay: float,",
          "    eps: float) -> Tensor:",
          "    torch._foreach_add_(steps, 1)",
          "    max_exp_avg_sqs: List[Tensor] = []",
          "    torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps,"
              + " lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps,"
              + " amsgrad=False, maximize=False)",
          "    return steps[0]",
          "");

  private final double lr;
  private final double weightDecay;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final NDManager state;
  private final PtSymbolBlock kernel;
  private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
  private final List<NDArray> steps = new ArrayList<>();
  private int step;

  public AdamW(Map<String, NDArray> parameters, double lr, double weightDecay, NDManager parent) {
    this(parameters, lr, weightDecay, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, parent);
  }

  public AdamW(
      Map<String, NDArray> parameters,
      double lr,
      double weightDecay,
      double beta1,
      double beta2,
      double eps,
      NDManager parent) {
    this.lr = lr;
    this.weightDecay = weightDecay;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.state = parent.newSubManager();
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      Shape shape = e.getValue().getShape();
      firstMoments.put(e.getKey(), state.zeros(shape, e.getValue().getDataType()));
      secondMoments.put(e.getKey(), state.zeros(shape, e.getValue().getDataType()));
      steps.add(state.zeros(new Shape(), DataType.FLOAT32)); // the kernel's per-parameter count
    }
    this.kernel = TorchScriptModule.load(state, "FusedAdamW", SOURCE);
  }

  /** The rate {@link #step(Map, Map)} uses. */
  public double learningRate() {
    return lr;
  }

  public int stepCount() {
    return step;
  }

  /**
   * The moments for a checkpoint, named as in {@code torch.optim.AdamW}'s state: {@code
   * exp_avg.<parameter>} and {@code exp_avg_sq.<parameter>}. The arrays are the live state.
   */
  public Map<String, NDArray> moments() {
    Map<String, NDArray> moments = new LinkedHashMap<>();
    firstMoments.forEach((name, m) -> moments.put(FIRST + name, m));
    secondMoments.forEach((name, v) -> moments.put(SECOND + name, v));
    return moments;
  }

  /**
   * Continues from a checkpoint: the step count here, the moments through the live arrays of {@link
   * #moments()}.
   */
  public void restoreStepCount(int stepCount) {
    if (stepCount < 0) {
      throw new IllegalArgumentException("step count must not be negative");
    }
    GradMode.disable();
    for (NDArray count : steps) {
      NativeArrays.copyInto(count, new float[] {stepCount});
    }
    step = stepCount;
  }

  /** One update of every parameter from its gradient. */
  public void step(Map<String, NDArray> parameters, Map<String, NDArray> gradients) {
    step(parameters, gradients, lr);
  }

  /** {@link #step(Map, Map)} at learning rate {@code lr} instead of the one it was made with. */
  public void step(Map<String, NDArray> parameters, Map<String, NDArray> gradients, double lr) {
    if (parameters.size() != firstMoments.size()) {
      throw new IllegalArgumentException(
          "AdamW was made for " + firstMoments.size() + " parameters, not " + parameters.size());
    }
    GradMode.disable();
    List<PtNDArray> params = new ArrayList<>();
    List<PtNDArray> grads = new ArrayList<>();
    List<PtNDArray> exp = new ArrayList<>();
    List<PtNDArray> expSq = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      NDArray m = firstMoments.get(e.getKey());
      if (m == null) {
        throw new IllegalArgumentException("AdamW has no state for " + e.getKey());
      }
      params.add((PtNDArray) e.getValue());
      NDArray g = gradients.get(e.getKey());
      if (g == null) {
        throw new IllegalArgumentException("no gradient for " + e.getKey());
      }
      grads.add((PtNDArray) g);
      exp.add((PtNDArray) m);
      expSq.add((PtNDArray) secondMoments.get(e.getKey()));
    }
    IValue[] inputs = {
      IValue.listFrom(params.toArray(PtNDArray[]::new)),
      IValue.listFrom(grads.toArray(PtNDArray[]::new)),
      IValue.listFrom(exp.toArray(PtNDArray[]::new)),
      IValue.listFrom(expSq.toArray(PtNDArray[]::new)),
      IValue.listFrom(steps.stream().map(PtNDArray.class::cast).toArray(PtNDArray[]::new)),
      IValue.from(lr),
      IValue.from(beta1),
      IValue.from(beta2),
      IValue.from(weightDecay),
      IValue.from(eps)
    };
    try {
      kernel.forward(inputs).close();
    } finally {
      for (IValue input : inputs) {
        input.close();
      }
    }
    step++;
  }

  @Override
  public void close() {
    kernel.close();
    state.close();
  }
}
