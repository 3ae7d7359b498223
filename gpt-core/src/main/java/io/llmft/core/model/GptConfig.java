package io.llmft.core.model;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The shape of a GPT-2 model. Named presets are the book's {@code model_configs}. */
public record GptConfig(int vocabSize, int contextLength, int embDim, int nLayers, int nHeads) {
  public static final int GPT2_VOCAB_SIZE = 50257;
  public static final int GPT2_CONTEXT_LENGTH = 1024;
  public static final float LAYER_NORM_EPS = 1e-5f;

  private static final Map<String, GptConfig> PRESETS = new LinkedHashMap<>();

  static {
    PRESETS.put("gpt2-small (124M)", gpt2(768, 12, 12));
    PRESETS.put("gpt2-medium (355M)", gpt2(1024, 24, 16));
    PRESETS.put("gpt2-large (774M)", gpt2(1280, 36, 20));
    PRESETS.put("gpt2-xl (1558M)", gpt2(1600, 48, 25));
  }

  public GptConfig {
    if (vocabSize <= 0 || contextLength <= 0 || embDim <= 0 || nLayers <= 0 || nHeads <= 0) {
      throw new IllegalArgumentException("every GPT-2 dimension must be positive");
    }
    if (embDim % nHeads != 0) {
      throw new IllegalArgumentException(
          "emb_dim (" + embDim + ") must be divisible by n_heads (" + nHeads + ")");
    }
  }

  private static GptConfig gpt2(int embDim, int nLayers, int nHeads) {
    return new GptConfig(GPT2_VOCAB_SIZE, GPT2_CONTEXT_LENGTH, embDim, nLayers, nHeads);
  }

  public int headDim() {
    return embDim / nHeads;
  }

  /** The book's names ("gpt2-medium (355M)") and the short ones ("gpt2-medium", "gpt2"). */
  public static GptConfig preset(String name) {
    GptConfig config = PRESETS.get(canonicalPresetName(name));
    if (config == null) {
      throw new IllegalArgumentException(
          "unknown GPT-2 model '"
              + name
              + "' (known: "
              + String.join(", ", PRESETS.keySet())
              + ")");
    }
    return config;
  }

  public static boolean isPreset(String name) {
    return PRESETS.containsKey(canonicalPresetName(name));
  }

  public static String canonicalPresetName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("gpt2") || n.equals("gpt2-small")) {
      return "gpt2-small (124M)";
    }
    for (String key : PRESETS.keySet()) {
      if (key.toLowerCase(Locale.ROOT).equals(n) || key.startsWith(n + " ")) {
        return key;
      }
    }
    return name;
  }

  /** Parameters including the separate output head (the book's count). */
  public long parameterCount() {
    long c = embDim;
    long perLayer =
        2 * (2 * c) + (c * 3 * c + 3 * c) + (c * c + c) + (c * 4 * c + 4 * c) + (4 * c * c + c);
    return (long) vocabSize * c
        + (long) contextLength * c
        + nLayers * perLayer
        + 2 * c
        + (long) vocabSize * c;
  }
}
