package io.llmft.text;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads {@code config.json} fields; a missing or malformed one is an error that names it. */
public final class ConfigFields {
  private ConfigFields() {}

  /** The first of {@code names} that is present, which must be a positive integer. */
  public static int positiveInt(JsonNode config, String... names) {
    for (String name : names) {
      JsonNode v = config.get(name);
      if (v != null && !v.isNull()) {
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() <= 0) {
          throw new IllegalArgumentException(
              "config.json: " + name + " must be a positive integer, got " + v);
        }
        return v.asInt();
      }
    }
    throw new IllegalArgumentException(
        "config.json: " + String.join(" or ", names) + " is missing");
  }

  /** An optional positive integer, or {@code fallback} when absent. */
  public static int positiveInt(JsonNode config, String name, int fallback) {
    JsonNode v = config.get(name);
    return v == null || v.isNull() ? fallback : positiveInt(config, name);
  }

  /** An optional positive number, or {@code fallback} when absent. */
  public static double positiveNumber(JsonNode config, String name, double fallback) {
    JsonNode v = config.get(name);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isNumber() || v.asDouble() <= 0) {
      throw new IllegalArgumentException(
          "config.json: " + name + " must be a positive number, got " + v);
    }
    return v.asDouble();
  }

  /**
   * The token ids of a field that is one id or a list of them (Llama 3.2's {@code eos_token_id}).
   */
  public static int[] ids(JsonNode config, String name) {
    JsonNode v = config.get(name);
    if (v == null || v.isNull()) {
      return new int[0];
    }
    if (v.isInt()) {
      return new int[] {v.asInt()};
    }
    if (v.isArray()) {
      int[] ids = new int[v.size()];
      for (int i = 0; i < ids.length; i++) {
        if (!v.get(i).isInt()) {
          throw new IllegalArgumentException("config.json: " + name + " must hold token ids");
        }
        ids[i] = v.get(i).asInt();
      }
      return ids;
    }
    throw new IllegalArgumentException(
        "config.json: " + name + " must be a token id or a list of them, got " + v);
  }
}
