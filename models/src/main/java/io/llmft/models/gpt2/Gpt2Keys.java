package io.llmft.models.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llmft.models.Adapter;
import io.llmft.models.LoraAdapters;
import io.llmft.models.ModelFamily;
import io.llmft.models.Tensors;
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
public final class Gpt2Keys {
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

  /** The adapted projections of a block, in the order LoRA draws them. */
  static final String QUERY = "attn.q";

  static final String KEY = "attn.k";
  static final String VALUE = "attn.v";
  static final String ATTN_OUT = "attn.c_proj";
  static final String FC = "mlp.c_fc";
  static final String MLP_OUT = "mlp.c_proj";

  private static final String HEAD = "lm_head";
  private static final String HEAD_WEIGHT = HEAD + ".weight";
  private static final String TOKEN_EMBEDDING = "wte.weight";
  private static final String HF_PREFIX = "transformer.";

  private Gpt2Keys() {}

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
          config, (name, shape) -> Tensors.requireShape(name, arrays.get(name), shape), manager);
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

  /**
   * Where LoRA goes in GPT-2, as the book's {@code replace_linear_with_lora}: query, key and value
   * each on its own, the attention output, both MLP layers, the output head.
   */
  public static LoraAdapters.Targets adapterTargets(GptConfig config) {
    long c = config.embDim();
    return new LoraAdapters.Targets(
        ModelFamily.GPT2,
        config.nLayers(),
        "h.",
        List.of(
            new LoraAdapters.Target(QUERY, c, c),
            new LoraAdapters.Target(KEY, c, c),
            new LoraAdapters.Target(VALUE, c, c),
            new LoraAdapters.Target(ATTN_OUT, c, c),
            new LoraAdapters.Target(FC, c, 4 * c),
            new LoraAdapters.Target(MLP_OUT, 4 * c, c)),
        new LoraAdapters.Target(HEAD, c, config.vocabSize()));
  }

  /**
   * A parameter with the adapter's change added (a new array), or itself where the adapter does not
   * change it: {@code c_attn} takes the query, key and value changes side by side.
   */
  static NDArray merged(String name, NDArray value, Adapter adapter) {
    if (adapter == Adapter.NONE) {
      return value;
    }
    if (name.equals(HEAD_WEIGHT)) {
      NDArray delta = adapter.headDelta();
      return delta == null ? value : value.add(delta.transpose());
    }
    java.util.regex.Matcher m = BLOCK_WEIGHT.matcher(name);
    if (!m.matches()) {
      return value;
    }
    int block = Integer.parseInt(m.group(1));
    NDArray delta =
        switch (m.group(2)) {
          case "attn.c_attn" ->
              NDArrays.concat(
                  new NDList(
                      adapter.delta(block, QUERY),
                      adapter.delta(block, KEY),
                      adapter.delta(block, VALUE)),
                  1);
          case "attn.c_proj" -> adapter.delta(block, ATTN_OUT);
          case "mlp.c_fc" -> adapter.delta(block, FC);
          case "mlp.c_proj" -> adapter.delta(block, MLP_OUT);
          default -> null;
        };
    return delta == null ? value : value.add(delta);
  }

  private static final java.util.regex.Pattern BLOCK_WEIGHT =
      java.util.regex.Pattern.compile(
          "h\\.(\\d+)\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.weight");

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
