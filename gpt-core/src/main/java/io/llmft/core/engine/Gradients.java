package io.llmft.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gradient arrays of parameters, fetched once. Autograd accumulates into a parameter's existing
 * {@code .grad} tensor in place, and the optimizer zeroes it in place, so the same arrays stay
 * valid for the whole run; fetching them anew each step would cost a native wrapper that DJL 0.36
 * does not fully free (about 60 bytes per parameter and step, measured).
 */
public final class Gradients {
  private Gradients() {}

  /** Each parameter's gradient, in the parameters' order, owned by {@code owner}. */
  public static Map<String, NDArray> of(Map<String, NDArray> parameters, NDManager owner) {
    Map<String, NDArray> gradients = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      NDArray g = e.getValue().getGradient();
      g.attach(owner);
      gradients.put(e.getKey(), g);
    }
    return gradients;
  }
}
