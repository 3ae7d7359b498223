package io.llmft.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llmft.core.engine.NativeArrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The book's Exercise 7.4 (LoRA): every Linear layer of its GPT model — query, key and value each
 * on its own, the attention output projection, both MLP layers and the output head — gets an
 * adapter that adds {@code alpha * (x A B)} (alpha itself, not alpha / rank), with A (in, rank)
 * Kaiming-uniform(a = sqrt 5), which is uniform(-1/sqrt(rank), 1/sqrt(rank)) for that shape, and B
 * (rank, out) zeros. Adapter names follow the layer: {@code h.0.attn.q.lora_A}, ..., {@code
 * lm_head.lora_B}.
 */
public final class LoraAdapters {
  private final int rank;
  private final float alpha;
  private final Map<String, NDArray> parameters;

  private LoraAdapters(int rank, float alpha, Map<String, NDArray> parameters) {
    this.rank = rank;
    this.alpha = alpha;
    this.parameters = parameters;
  }

  /** Each adapted layer with its (in, out) dimensions, in model order. */
  static Map<String, long[]> layers(GptConfig config) {
    long c = config.embDim();
    Map<String, long[]> layers = new LinkedHashMap<>();
    for (int i = 0; i < config.nLayers(); i++) {
      String p = "h." + i + ".";
      layers.put(p + "attn.q", new long[] {c, c});
      layers.put(p + "attn.k", new long[] {c, c});
      layers.put(p + "attn.v", new long[] {c, c});
      layers.put(p + "attn.c_proj", new long[] {c, c});
      layers.put(p + "mlp.c_fc", new long[] {c, 4 * c});
      layers.put(p + "mlp.c_proj", new long[] {4 * c, c});
    }
    layers.put("lm_head", new long[] {c, config.vocabSize()});
    return layers;
  }

  /** Trainable parameters of the adapters for a config (7,898,384 for gpt2-medium at rank 16). */
  public static long parameterCount(GptConfig config, int rank) {
    long n = 0;
    for (long[] dims : layers(config).values()) {
      n += rank * (dims[0] + dims[1]);
    }
    return n;
  }

  static LoraAdapters create(
      GptConfig config, int rank, float alpha, long seed, NDManager manager) {
    if (rank <= 0) {
      throw new IllegalArgumentException("lora.rank must be positive");
    }
    Random random = new Random(seed);
    double bound = 1 / Math.sqrt(rank);
    Map<String, NDArray> parameters = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> layer : layers(config).entrySet()) {
      long in = layer.getValue()[0];
      long out = layer.getValue()[1];
      float[] a = new float[Math.toIntExact(in * rank)];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
      NDArray aBlob = NativeArrays.copyOf(manager, a, new Shape(in, rank));
      parameters.put(layer.getKey() + ".lora_A", aBlob);
      parameters.put(layer.getKey() + ".lora_B", manager.zeros(new Shape(rank, out)));
    }
    return new LoraAdapters(rank, alpha, parameters);
  }

  public int rank() {
    return rank;
  }

  public float alpha() {
    return alpha;
  }

  public Map<String, NDArray> parameters() {
    return Collections.unmodifiableMap(parameters);
  }

  /** {@code alpha * (x A B)} of one adapted layer: (..., in) -> (..., out). */
  NDArray apply(String layer, NDArray x, NDArray alphaScalar) {
    return x.matMul(parameters.get(layer + ".lora_A"))
        .matMul(parameters.get(layer + ".lora_B"))
        .mul(alphaScalar);
  }

  /** {@code alpha * A B}: the adapter's change of the layer's (in, out) weight. */
  NDArray delta(String layer) {
    NDArray product = parameters.get(layer + ".lora_A").matMul(parameters.get(layer + ".lora_B"));
    return product.mul(product.getManager().full(new Shape(), alpha, product.getDataType()));
  }
}
