package io.llmft.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code torch.optim.AdamW} (single-tensor path): decoupled weight decay {@code p *= 1 - lr*wd},
 * moments {@code m = b1*m + (1-b1)*g}, {@code v = b2*v + (1-b2)*g^2}, and {@code p -= lr/bc1 * m /
 * (sqrt(v)/sqrt(bc2) + eps)}. State lives in its own manager; updates are in place.
 */
public final class AdamW implements AutoCloseable {
  public static final double DEFAULT_BETA1 = 0.9;
  public static final double DEFAULT_BETA2 = 0.999;
  public static final double DEFAULT_EPS = 1e-8;

  private static final String FIRST = "exp_avg.";
  private static final String SECOND = "exp_avg_sq.";

  private final double lr;
  private final double weightDecay;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final NDManager state;
  private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
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
      firstMoments.put(
          e.getKey(), state.zeros(e.getValue().getShape(), e.getValue().getDataType()));
      secondMoments.put(
          e.getKey(), state.zeros(e.getValue().getShape(), e.getValue().getDataType()));
    }
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

  /** Continues from a checkpoint: the step count and every moment {@link #moments()} names. */
  public void restore(int stepCount, Map<String, float[]> moments) {
    if (stepCount < 0) {
      throw new IllegalArgumentException("step count must not be negative");
    }
    for (Map.Entry<String, NDArray> e : moments().entrySet()) {
      float[] values = moments.get(e.getKey());
      if (values == null || values.length != e.getValue().size()) {
        throw new IllegalArgumentException(
            "optimizer state "
                + e.getKey()
                + (values == null ? " is missing" : " has the wrong size " + values.length));
      }
      e.getValue().set(values);
    }
    step = stepCount;
  }

  /** One update of every parameter from its gradient, then the gradients are zeroed. */
  public void step(Map<String, NDArray> parameters) {
    GradMode.disable();
    step++;
    double biasCorrection1 = 1 - Math.pow(beta1, step);
    double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
    float stepSize = (float) (lr / biasCorrection1);
    float decay = (float) (1 - lr * weightDecay);
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      NDArray p = e.getValue();
      NDArray m = firstMoments.get(e.getKey());
      NDArray v = secondMoments.get(e.getKey());
      try (NDScope scope = new NDScope()) {
        NDArray g = p.getGradient();
        p.muli(decay);
        m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
        v.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
        NDArray denom = v.sqrt().divi((float) biasCorrection2Sqrt).addi((float) eps);
        p.subi(m.div(denom).muli(stepSize));
        g.subi(g);
      }
    }
  }

  @Override
  public void close() {
    state.close();
  }
}
