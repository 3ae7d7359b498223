package io.llmft.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every name a weight has on disk, and the only place they are spelled: Hugging Face GPT-2 names
 * ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, ..., {@code lm_head.weight}) for the model,
 * and {@code h.0.attn.q.lora_A}, ..., {@code lm_head.lora_B} for LoRA adapters. Checkpoint order is
 * the order of these lists.
 */
public final class CheckpointKeys {
  /**
   * A block's parameters after its {@code h.N.} prefix, in the order of {@link Gpt2Weights#arrays}.
   */
  private static final List<String> BLOCK =
      List.of(
          "ln_1.weight",
          "ln_1.bias",
          "attn.c_attn.weight",
          "attn.c_attn.bias",
          "attn.c_proj.weight",
          "attn.c_proj.bias",
          "ln_2.weight",
          "ln_2.bias",
          "mlp.c_fc.weight",
          "mlp.c_fc.bias",
          "mlp.c_proj.weight",
          "mlp.c_proj.bias");

  /** A block's adapted layers, in the order of {@link LoraAdapters#arrays}. */
  private static final List<String> ADAPTED =
      List.of("attn.q", "attn.k", "attn.v", "attn.c_proj", "mlp.c_fc", "mlp.c_proj");

  private static final String HEAD = "lm_head";
  private static final String HEAD_WEIGHT = HEAD + ".weight";
  private static final String TOKEN_EMBEDDING = "wte.weight";
  private static final String HF_PREFIX = "transformer.";

  private CheckpointKeys() {}

  /** Makes the array of one named parameter. */
  @FunctionalInterface
  interface ArraySource {
    NDArray array(String name, Shape shape);
  }

  /** The parameter names and shapes of a GPT-2 of this config, in checkpoint order. */
  public static Map<String, Shape> shapes(GptConfig config) {
    long c = config.embDim();
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put(TOKEN_EMBEDDING, new Shape(config.vocabSize(), c));
    shapes.put("wpe.weight", new Shape(config.contextLength(), c));
    List<Shape> block =
        List.of(
            new Shape(c),
            new Shape(c),
            new Shape(c, 3 * c),
            new Shape(3 * c),
            new Shape(c, c),
            new Shape(c),
            new Shape(c),
            new Shape(c),
            new Shape(c, 4 * c),
            new Shape(4 * c),
            new Shape(4 * c, c),
            new Shape(c));
    for (int i = 0; i < config.nLayers(); i++) {
      for (int k = 0; k < BLOCK.size(); k++) {
        shapes.put("h." + i + "." + BLOCK.get(k), block.get(k));
      }
    }
    shapes.put("ln_f.weight", new Shape(c));
    shapes.put("ln_f.bias", new Shape(c));
    shapes.put(HEAD_WEIGHT, new Shape(config.vocabSize(), c));
    return shapes;
  }

  /**
   * The parameter a tensor of a Hugging Face file holds (keys with or without the {@code
   * transformer.} prefix), or null for the attention-mask buffers, which are not parameters.
   */
  static String fromHuggingFace(String key) {
    String name = key.startsWith(HF_PREFIX) ? key.substring(HF_PREFIX.length()) : key;
    return name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias") ? null : name;
  }

  /** The key of a parameter in a {@code GPT2LMHeadModel} file. */
  static String toHuggingFace(String name) {
    return name.equals(HEAD_WEIGHT) ? name : HF_PREFIX + name;
  }

  /**
   * A file without an output head has it tied to the token embedding: it becomes its own parameter,
   * initialised as a copy, as the book does.
   */
  static void untieHead(Map<String, NDArray> arrays) {
    if (!arrays.containsKey(HEAD_WEIGHT) && arrays.containsKey(TOKEN_EMBEDDING)) {
      arrays.put(HEAD_WEIGHT, arrays.get(TOKEN_EMBEDDING).duplicate());
    }
  }

  /** Whether the parameter is a LayerNorm scale (initialised to 1). */
  static boolean isNormScale(String name) {
    return name.matches("(.*\\.)?ln_\\w+\\.weight");
  }

  /**
   * Builds the weights from named arrays that live in {@code manager}, which the weights take over
   * (and close, also when the arrays do not fit the config): every parameter of the config must be
   * there with its exact shape.
   */
  public static Gpt2Weights fromNamed(
      GptConfig config, Map<String, NDArray> arrays, NDManager manager) {
    try {
      return weights(
          config,
          (name, shape) -> Gpt2Weights.requireShape(name, arrays.get(name), shape),
          manager);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Asks {@code source} for every parameter in checkpoint order and assembles the weights. */
  static Gpt2Weights weights(GptConfig config, ArraySource source, NDManager manager) {
    Map<String, NDArray> named = new LinkedHashMap<>();
    shapes(config)
        .forEach(
            (name, shape) -> {
              NDArray array = source.array(name, shape);
              array.setName(name);
              named.put(name, array);
            });
    List<NDArray> all = new ArrayList<>(named.values());
    List<Gpt2Weights.Block> blocks = new ArrayList<>();
    for (int i = 0; i < config.nLayers(); i++) {
      List<NDArray> b = all.subList(2 + i * BLOCK.size(), 2 + (i + 1) * BLOCK.size());
      blocks.add(
          new Gpt2Weights.Block(
              new Gpt2Weights.Norm(b.get(0), b.get(1)),
              new Gpt2Weights.Projection(b.get(2), b.get(3)),
              new Gpt2Weights.Projection(b.get(4), b.get(5)),
              new Gpt2Weights.Norm(b.get(6), b.get(7)),
              new Gpt2Weights.Projection(b.get(8), b.get(9)),
              new Gpt2Weights.Projection(b.get(10), b.get(11))));
    }
    int end = all.size();
    return new Gpt2Weights(
        config,
        all.get(0),
        all.get(1),
        blocks,
        new Gpt2Weights.Norm(all.get(end - 3), all.get(end - 2)),
        all.get(end - 1),
        manager);
  }

  /** The weights by name, in checkpoint order. */
  public static Map<String, NDArray> named(Gpt2Weights weights) {
    return zip(shapes(weights.config()).keySet(), weights.arrays());
  }

  /** The adapted layers' names ({@code h.0.attn.q}, ..., {@code lm_head}), in model order. */
  static List<String> adaptedLayers(GptConfig config) {
    List<String> layers = new ArrayList<>();
    for (int i = 0; i < config.nLayers(); i++) {
      for (String layer : ADAPTED) {
        layers.add("h." + i + "." + layer);
      }
    }
    layers.add(HEAD);
    return layers;
  }

  /** The adapters by name ({@code <layer>.lora_A}, {@code <layer>.lora_B}), in model order. */
  public static Map<String, NDArray> named(LoraAdapters adapters) {
    List<String> names = new ArrayList<>();
    for (String layer : adaptedLayers(adapters.config())) {
      names.add(layer + ".lora_A");
      names.add(layer + ".lora_B");
    }
    return zip(names, adapters.arrays());
  }

  private static Map<String, NDArray> zip(Iterable<String> names, List<NDArray> arrays) {
    Map<String, NDArray> named = new LinkedHashMap<>();
    int i = 0;
    for (String name : names) {
      named.put(name, arrays.get(i++));
    }
    if (i != arrays.size()) {
      throw new IllegalStateException(arrays.size() + " arrays for " + i + " names");
    }
    return java.util.Collections.unmodifiableMap(named);
  }
}
