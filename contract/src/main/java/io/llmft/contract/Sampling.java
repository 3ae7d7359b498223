package io.llmft.contract;

import java.util.List;

/**
 * How a model picks each next token: greedy at temperature 0, else softmax sampling at that
 * temperature over the {@code topK} most likely tokens (all when null), then over the smallest set
 * of them whose probabilities sum to {@code topP} (all when null), reproducible with a seed.
 */
public record Sampling(double temperature, Integer topK, Double topP, Long seed) {
  public static final double MAX_TEMPERATURE = 100;
  public static final int MAX_TOP_K = ModelShape.GPT2_VOCAB_SIZE;
  public static final Sampling GREEDY = new Sampling(0, null, null, null);

  public Sampling {
    if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)
        || (topK != null && (topK < 1 || topK > MAX_TOP_K))
        || (topP != null && !(topP > 0 && topP <= 1))) {
      throw new IllegalArgumentException(
          "temperature from 0 to "
              + MAX_TEMPERATURE
              + ", top k from 1 to "
              + MAX_TOP_K
              + ", top p above 0 and at most 1");
    }
  }

  public boolean greedy() {
    return temperature == 0;
  }

  /**
   * The sampling a request asks for (null values: greedy, every token, no seed), or null with a
   * violation for each bad value, named as the request names it.
   */
  public static Sampling of(
      Double temperature,
      String temperatureField,
      Integer topK,
      String topKField,
      Double topP,
      String topPField,
      Long seed,
      List<Violation> violations) {
    boolean ok = true;
    if (temperature != null && !(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
      violations.add(new Violation(temperatureField, "must be from 0 to 100"));
      ok = false;
    }
    if (topK != null && (topK < 1 || topK > MAX_TOP_K)) {
      violations.add(new Violation(topKField, "must be from 1 to " + MAX_TOP_K));
      ok = false;
    }
    if (topP != null && !(topP > 0 && topP <= 1)) {
      violations.add(new Violation(topPField, "must be above 0 and at most 1"));
      ok = false;
    }
    return ok ? new Sampling(temperature == null ? 0 : temperature, topK, topP, seed) : null;
  }
}
