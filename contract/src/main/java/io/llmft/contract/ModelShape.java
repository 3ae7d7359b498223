package io.llmft.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a GPT-2 to initialise at random, in the book's {@code GPT_CONFIG} names; {@code
 * vocab_size} defaults to GPT-2's 50,257.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelShape(
    @JsonProperty("emb_dim") int embDim,
    @JsonProperty("n_layers") int nLayers,
    @JsonProperty("n_heads") int nHeads,
    @JsonProperty("context_length") int contextLength,
    @JsonProperty("vocab_size") Integer vocabSize) {
  public static final int GPT2_VOCAB_SIZE = 50257;

  /** The largest shape accepted: twice gpt2-xl's width and context, 96 layers. */
  private static final Map<String, Integer> LIMITS = new LinkedHashMap<>();

  static {
    LIMITS.put("emb_dim", 3200);
    LIMITS.put("n_layers", 96);
    LIMITS.put("n_heads", 64);
    LIMITS.put("context_length", 2048);
  }

  private static final List<String> FIELDS =
      List.of("emb_dim", "n_layers", "n_heads", "context_length", "vocab_size");

  public int vocabSizeOrDefault() {
    return vocabSize == null ? GPT2_VOCAB_SIZE : vocabSize;
  }

  /** Reads a shape, adding a violation for each field that is missing, unknown or out of range. */
  static ModelShape parse(JsonNode c, List<Violation> violations) {
    if (!c.isObject()) {
      violations.add(
          new Violation("", "must be an object with emb_dim, n_layers, n_heads, context_length"));
      return null;
    }
    int before = violations.size();
    for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        violations.add(new Violation(f, "unknown field (known: " + FIELDS + ")"));
      }
    }
    int[] values = new int[LIMITS.size()];
    int i = 0;
    for (Map.Entry<String, Integer> limit : LIMITS.entrySet()) {
      JsonNode v = c.path(limit.getKey());
      boolean ok = v.canConvertToInt() && v.isIntegralNumber() && v.asInt() > 0;
      if (!ok || v.asInt() > limit.getValue()) {
        violations.add(
            new Violation(limit.getKey(), "must be an integer from 1 to " + limit.getValue()));
      }
      values[i++] = v.asInt();
    }
    JsonNode vocab = c.get("vocab_size");
    if (vocab != null
        && !(vocab.canConvertToInt()
            && vocab.isIntegralNumber()
            && vocab.asInt() >= GPT2_VOCAB_SIZE
            && vocab.asInt() <= 2 * GPT2_VOCAB_SIZE)) {
      violations.add(
          new Violation(
              "vocab_size",
              "must be an integer from " + GPT2_VOCAB_SIZE + " to " + 2 * GPT2_VOCAB_SIZE));
    }
    if (values[2] > 0 && values[0] % values[2] != 0) {
      violations.add(new Violation("emb_dim", "must be divisible by n_heads"));
    }
    if (violations.size() > before) {
      return null;
    }
    return new ModelShape(
        values[0], values[1], values[2], values[3], vocab == null ? null : vocab.asInt());
  }
}
