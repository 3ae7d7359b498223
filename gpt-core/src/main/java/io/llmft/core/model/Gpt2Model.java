package io.llmft.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;
import io.llmft.core.engine.Bf16MatMul;
import io.llmft.core.engine.NativeArrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * GPT-2 as plain NDArray code, the book's {@code GPTModel}: token + position embeddings,
 * pre-LayerNorm blocks of causal multi-head attention and a tanh-GELU MLP, a final LayerNorm and an
 * output head without bias that is its own parameter.
 *
 * <p>Parameters are keyed by their Hugging Face GPT-2 names ({@code wte.weight}, {@code
 * h.0.attn.c_attn.weight}, ..., {@code lm_head.weight}) and kept in Hugging Face orientation: the
 * Conv1D weights are (in, out), so a projection is {@code x.matMul(w) + b}.
 *
 * <p>Shapes: B batch, T sequence length, C embedding width, H heads, D = C / H, V vocabulary.
 */
public final class Gpt2Model implements AutoCloseable {
  private static final float GELU_COEFF = (float) Math.sqrt(2.0 / Math.PI);

  private final GptConfig config;
  private final NDManager manager;
  private final Map<String, NDArray> parameters;
  private LoraAdapters lora;
  private Precision precision = Precision.FP32;
  private Bf16MatMul bf16;

  private Gpt2Model(GptConfig config, NDManager manager, Map<String, NDArray> parameters) {
    this.config = config;
    this.manager = manager;
    this.parameters = parameters;
  }

  /** The parameter names and shapes of a GPT-2 of this config, in checkpoint order. */
  public static Map<String, Shape> parameterShapes(GptConfig config) {
    long c = config.embDim();
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put("wte.weight", new Shape(config.vocabSize(), c));
    shapes.put("wpe.weight", new Shape(config.contextLength(), c));
    for (int i = 0; i < config.nLayers(); i++) {
      String p = "h." + i + ".";
      shapes.put(p + "ln_1.weight", new Shape(c));
      shapes.put(p + "ln_1.bias", new Shape(c));
      shapes.put(p + "attn.c_attn.weight", new Shape(c, 3 * c));
      shapes.put(p + "attn.c_attn.bias", new Shape(3 * c));
      shapes.put(p + "attn.c_proj.weight", new Shape(c, c));
      shapes.put(p + "attn.c_proj.bias", new Shape(c));
      shapes.put(p + "ln_2.weight", new Shape(c));
      shapes.put(p + "ln_2.bias", new Shape(c));
      shapes.put(p + "mlp.c_fc.weight", new Shape(c, 4 * c));
      shapes.put(p + "mlp.c_fc.bias", new Shape(4 * c));
      shapes.put(p + "mlp.c_proj.weight", new Shape(4 * c, c));
      shapes.put(p + "mlp.c_proj.bias", new Shape(c));
    }
    shapes.put("ln_f.weight", new Shape(c));
    shapes.put("ln_f.bias", new Shape(c));
    shapes.put("lm_head.weight", new Shape(config.vocabSize(), c));
    return shapes;
  }

  /**
   * Builds a model from float arrays keyed by parameter name; every parameter of the config must be
   * present with its exact shape.
   */
  public static Gpt2Model fromArrays(
      GptConfig config, Map<String, float[]> values, NDManager parent) {
    NDManager manager = parent.newSubManager();
    Map<String, NDArray> arrays = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Shape> e : parameterShapes(config).entrySet()) {
        float[] data = values.get(e.getKey());
        if (data == null) {
          throw new IllegalArgumentException("missing parameter " + e.getKey());
        }
        if (data.length != e.getValue().size()) {
          throw new IllegalArgumentException(
              "parameter "
                  + e.getKey()
                  + " has "
                  + data.length
                  + " values, expected shape "
                  + e.getValue());
        }
        arrays.put(e.getKey(), NativeArrays.copyOf(manager, data, e.getValue()));
      }
    } catch (RuntimeException ex) {
      manager.close();
      throw ex;
    }
    return fromManagedArrays(config, arrays, manager);
  }

  /**
   * Builds a model from arrays that already live in {@code manager}, which the model takes over
   * (and closes, also when the arrays do not fit the config): every parameter of the config must be
   * present with its exact shape.
   */
  public static Gpt2Model fromManagedArrays(
      GptConfig config, Map<String, NDArray> arrays, NDManager manager) {
    Map<String, NDArray> parameters = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Shape> e : parameterShapes(config).entrySet()) {
        NDArray array = arrays.get(e.getKey());
        if (array == null) {
          throw new IllegalArgumentException("missing parameter " + e.getKey());
        }
        if (!array.getShape().equals(e.getValue())) {
          throw new IllegalArgumentException(
              "parameter "
                  + e.getKey()
                  + " has shape "
                  + array.getShape()
                  + ", expected "
                  + e.getValue());
        }
        array.setName(e.getKey());
        parameters.put(e.getKey(), array);
      }
    } catch (RuntimeException ex) {
      manager.close();
      throw ex;
    }
    return new Gpt2Model(config, manager, parameters);
  }

  /** GPT-2's initialisation: weights normal(0, 0.02), biases 0, LayerNorm scale 1. */
  public static Gpt2Model randomInit(GptConfig config, long seed, NDManager parent) {
    Random random = new Random(seed);
    NDManager manager = parent.newSubManager();
    Map<String, NDArray> arrays = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : parameterShapes(config).entrySet()) {
      float[] data = new float[Math.toIntExact(e.getValue().size())];
      String name = e.getKey();
      if (name.matches(".*ln_\\w+\\.weight")) {
        java.util.Arrays.fill(data, 1f);
      } else if (name.endsWith(".weight")) {
        for (int i = 0; i < data.length; i++) {
          data[i] = (float) (random.nextGaussian() * 0.02);
        }
      }
      arrays.put(
          name, NativeArrays.copyOf(manager, data, e.getValue())); // one on the heap at a time
    }
    return fromManagedArrays(config, arrays, manager);
  }

  public GptConfig config() {
    return config;
  }

  public NDManager manager() {
    return manager;
  }

  /** The trainable parameters, by Hugging Face name, in checkpoint order. */
  public Map<String, NDArray> parameters() {
    return Collections.unmodifiableMap(parameters);
  }

  /**
   * Adds LoRA adapters (Exercise 7.4); from then on only they are trained, the base weights stay as
   * they are.
   */
  public LoraAdapters attachLora(int rank, float alpha, long seed) {
    if (lora != null) {
      throw new IllegalStateException("LoRA adapters are attached already");
    }
    lora = LoraAdapters.create(config, rank, alpha, seed, manager);
    return lora;
  }

  public Precision precision() {
    return precision;
  }

  /** What the matrix products compute in from now on; the weights stay fp32. */
  public void setPrecision(Precision precision) {
    if (precision == Precision.BF16 && bf16 == null) {
      bf16 = Bf16MatMul.load(manager);
    }
    this.precision = java.util.Objects.requireNonNull(precision);
  }

  /** The attached adapters, or null. */
  public LoraAdapters lora() {
    return lora;
  }

  /** What training updates: the adapters when LoRA is attached, else every parameter. */
  public Map<String, NDArray> trainableParameters() {
    return lora != null ? lora.parameters() : parameters();
  }

  /**
   * The weights with the adapters merged in ({@code W + alpha A B}, in each weight's own
   * orientation), by Hugging Face name; the parameters themselves without LoRA. Merged arrays are
   * new: the caller closes them (an {@code NDScope} does).
   */
  public Map<String, NDArray> mergedParameters() {
    if (lora == null) {
      return parameters();
    }
    Map<String, NDArray> merged = new LinkedHashMap<>(parameters);
    for (int i = 0; i < config.nLayers(); i++) {
      String attn = "h." + i + ".attn.";
      NDArray qkv =
          NDArrays.concat(
              new NDList(lora.delta(attn + "q"), lora.delta(attn + "k"), lora.delta(attn + "v")),
              1);
      merged.put(attn + "c_attn.weight", parameter(attn + "c_attn.weight").add(qkv));
      for (String layer :
          new String[] {attn + "c_proj", "h." + i + ".mlp.c_fc", "h." + i + ".mlp.c_proj"}) {
        merged.put(layer + ".weight", parameter(layer + ".weight").add(lora.delta(layer)));
      }
    }
    merged.put(
        "lm_head.weight", parameter("lm_head.weight").add(lora.delta("lm_head").transpose()));
    return merged;
  }

  public NDArray parameter(String name) {
    NDArray p = parameters.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter " + name);
    }
    return p;
  }

  public long parameterCount() {
    long n = 0;
    for (NDArray p : parameters.values()) {
      n += p.size();
    }
    return n;
  }

  /** Logits for every position: (B, T) token ids -> (B, T, V). */
  public NDArray forward(NDArray tokenIds) {
    return head(hidden(tokenIds));
  }

  /** The final-LayerNorm hidden states: (B, T) token ids -> (B, T, C). */
  public NDArray hidden(NDArray tokenIds) {
    return hidden(tokenIds, null);
  }

  /**
   * The hidden states of new tokens that continue the ones in {@code cache} (at positions {@code
   * cache.length()} on), which are then added to it: (B, T) -> (B, T, C). Without a cache this is
   * the plain forward pass.
   */
  public NDArray hidden(NDArray tokenIds, KvCache cache) {
    long t = tokenIds.getShape().get(1);
    long past = cache == null ? 0 : cache.length();
    NDManager m = tokenIds.getManager();
    return hidden(
        tokenIds,
        m.arange(past, past + t, 1L, DataType.INT64), // (T)
        causalMask(m, t, past), // (T, past + T)
        cache);
  }

  /**
   * The hidden states of a batch whose rows have their own positions and may hide some keys (left
   * padding in batched generation): (B, T) -> (B, T, C).
   *
   * @param positionIds (B, T) each token's position in its own sequence
   * @param attentionMask (B, 1, T, past + T) additive: 0 where a token may attend, -inf elsewhere
   *     (causality included)
   */
  public NDArray hidden(
      NDArray tokenIds, NDArray positionIds, NDArray attentionMask, KvCache cache) {
    long t = tokenIds.getShape().get(1);
    long past = cache == null ? 0 : cache.length();
    if (past + t > config.contextLength()) {
      throw new IllegalArgumentException(
          "sequence of "
              + (past + t)
              + " tokens exceeds the context length "
              + config.contextLength());
    }
    NDArray ids = tokenIds.toType(DataType.INT64, false);
    NDArray tok =
        Embedding.embedding(ids, parameter("wte.weight"), SparseFormat.DENSE).head(); // (B, T, C)
    NDArray pos =
        Embedding.embedding(
                positionIds.toType(DataType.INT64, false),
                parameter("wpe.weight"),
                SparseFormat.DENSE)
            .head(); // (T, C) or (B, T, C)
    NDArray x = tok.add(pos); // (B, T, C)
    NDArray mask = attentionMask;
    for (int i = 0; i < config.nLayers(); i++) {
      x = block(x, i, mask, cache);
    }
    if (cache != null) {
      cache.advance((int) t);
    }
    return layerNorm(x, "ln_f");
  }

  /** The output head: (..., C) -> (..., V). */
  public NDArray head(NDArray hidden) {
    NDArray logits = matMul(hidden, parameter("lm_head.weight").transpose());
    return lora == null
        ? logits
        : logits.add(lora.apply("lm_head", hidden, constant(hidden, lora.alpha())));
  }

  private NDArray block(NDArray x, int layer, NDArray mask, KvCache cache) {
    String prefix = "h." + layer + ".";
    NDArray attn = attention(layerNorm(x, prefix + "ln_1"), layer, mask, cache);
    x = x.add(attn);
    NDArray h = linear(layerNorm(x, prefix + "ln_2"), prefix + "mlp.c_fc"); // (B, T, 4C)
    h = linear(geluTanh(h), prefix + "mlp.c_proj"); // (B, T, C)
    return x.add(h);
  }

  private NDArray attention(NDArray x, int layer, NDArray mask, KvCache cache) {
    String prefix = "h." + layer + ".attn.";
    Shape shape = x.getShape();
    long b = shape.get(0);
    long t = shape.get(1);
    long c = config.embDim();
    int heads = config.nHeads();
    long d = config.headDim();
    NDArray qkv = linear(x, prefix + "c_attn"); // (B, T, 3C)
    if (lora != null) {
      NDArray alpha = constant(x, lora.alpha());
      String root = "h." + layer + ".attn.";
      NDArray adapted =
          NDArrays.concat(
              new NDList(
                  lora.apply(root + "q", x, alpha),
                  lora.apply(root + "k", x, alpha),
                  lora.apply(root + "v", x, alpha)),
              -1); // (B, T, 3C)
      qkv = qkv.add(adapted);
    }
    var parts = qkv.split(3, 2);
    NDArray q = parts.get(0).reshape(b, t, heads, d).transpose(0, 2, 1, 3); // (B, H, T, D)
    NDArray k = parts.get(1).reshape(b, t, heads, d).transpose(0, 2, 1, 3); // (B, H, T, D)
    NDArray v = parts.get(2).reshape(b, t, heads, d).transpose(0, 2, 1, 3); // (B, H, T, D)
    if (cache != null) {
      if (cache.keys(layer) != null) {
        k = cache.keys(layer).concat(k, 2); // (B, H, past + T, D)
        v = cache.values(layer).concat(v, 2); // (B, H, past + T, D)
      }
      cache.put(layer, k, v);
    }
    NDArray scores = matMul(q, k.transpose(0, 1, 3, 2)).add(mask); // (B, H, T, past + T)
    NDArray weights = scores.div(constant(x, (float) Math.sqrt(d))).softmax(-1); // (B, H, T, T)
    NDArray context = matMul(weights, v).transpose(0, 2, 1, 3).reshape(b, t, c); // (B, T, C)
    return linear(context, prefix + "c_proj");
  }

  /** A Conv1D layer (weight (in, out)), plus its LoRA adapter when there is one. */
  private NDArray linear(NDArray x, String name) {
    NDArray y = matMul(x, parameter(name + ".weight")).add(parameter(name + ".bias"));
    if (lora != null && !name.endsWith("c_attn")) {
      y = y.add(lora.apply(name, x, constant(x, lora.alpha())));
    }
    return y;
  }

  /** A matrix product in the model's {@link Precision}, as fp32. */
  private NDArray matMul(NDArray a, NDArray b) {
    return precision == Precision.BF16 ? bf16.apply(a, b) : a.matMul(b);
  }

  private NDArray layerNorm(NDArray x, String name) {
    return LayerNorm.layerNorm(
            x,
            new Shape(config.embDim()),
            parameter(name + ".weight"),
            parameter(name + ".bias"),
            GptConfig.LAYER_NORM_EPS)
        .head();
  }

  /**
   * GPT-2's tanh approximation of GELU (DJL's {@code gelu()} is the erf form). {@code x * x * x} is
   * what torch computes for {@code torch.pow(x, 3)}.
   */
  static NDArray geluTanh(NDArray x) {
    NDArray cube = x.mul(x).mul(x);
    NDArray inner = x.add(cube.mul(constant(x, 0.044715f))).mul(constant(x, GELU_COEFF));
    return x.mul(constant(x, 0.5f)).mul(inner.tanh().add(constant(x, 1f)));
  }

  /**
   * A scalar tensor allocated by libtorch, for arithmetic inside the autograd graph. DJL's {@code
   * mul(Number)} and friends wrap the number in a tensor over a Java direct buffer that they
   * release right after the call, while autograd keeps that tensor for the backward pass: once the
   * garbage collector frees the buffer, gradients read freed memory (seen as NaN losses after a
   * GC).
   */
  static NDArray constant(NDArray like, float value) {
    return like.getManager().full(new Shape(), value, like.getDataType());
  }

  /**
   * Additive causal mask for T new tokens after {@code past} cached ones: 0 where a new token may
   * attend (every cached token, itself and the new ones before it), -inf elsewhere. (T, past + T)
   */
  private static NDArray causalMask(NDManager m, long t, long past) {
    long width = past + t;
    float[] values = new float[Math.toIntExact(t * width)];
    for (int row = 0; row < t; row++) {
      for (long col = past + row + 1; col < width; col++) {
        values[(int) (row * width + col)] = Float.NEGATIVE_INFINITY;
      }
    }
    return m.create(values, new Shape(t, width));
  }

  @Override
  public void close() {
    if (bf16 != null) {
      bf16.close();
    }
    manager.close();
  }
}
