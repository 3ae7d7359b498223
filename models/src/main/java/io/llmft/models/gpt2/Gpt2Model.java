package io.llmft.models.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.jni.JniUtils;
import io.llmft.models.Adapter;
import io.llmft.models.Attention;
import io.llmft.models.KvCache;
import io.llmft.models.LanguageModel;
import io.llmft.models.LoraAdapters;
import io.llmft.models.LoraSpec;
import io.llmft.models.Precision;
import io.llmft.models.engine.FusedOps;
import io.llmft.models.engine.MatMul;
import io.llmft.models.engine.OneDnnLinear;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GPT-2 as plain NDArray code, the book's {@code GPTModel}: token + position embeddings,
 * pre-LayerNorm blocks of causal multi-head attention and a tanh-GELU MLP, a final LayerNorm and an
 * output head without bias that is its own parameter.
 *
 * <p>Built once from its {@link Gpt2Weights}, a matrix product ({@link Precision}) and an {@link
 * Adapter}, and never changed after: several threads may run it at once. What changes while it runs
 * (a {@link KvCache}, gradients, optimizer state) lives outside it. Training updates the weights'
 * values in place, never the model's structure.
 *
 * <p>Shapes: B batch, T sequence length, C embedding width, H heads, D = C / H, V vocabulary.
 */
public final class Gpt2Model implements LanguageModel {
  private final GptConfig config;
  private final Gpt2Weights weights;
  private final Precision precision;
  private final MatMul matMul;
  private final FusedOps fused;
  private final ScriptedBlocks scripted; // null where the blocks are not fp32 without adapters
  private final OneDnnLinear headWithoutGrad; // null off the CPU and for bf16 products
  private final Adapter adapter;
  private final Map<String, NDArray> parameters;
  private final boolean ownsWeights;

  private Gpt2Model(
      Gpt2Weights weights,
      Precision precision,
      MatMul matMul,
      FusedOps fused,
      ScriptedBlocks scripted,
      OneDnnLinear headWithoutGrad,
      Adapter adapter,
      boolean ownsWeights) {
    this.ownsWeights = ownsWeights;
    this.config = weights.config();
    this.scripted = scripted;
    this.headWithoutGrad = headWithoutGrad;
    this.weights = weights;
    this.precision = precision;
    this.matMul = matMul;
    this.fused = fused;
    this.adapter = adapter;
    this.parameters = Gpt2Keys.named(weights);
  }

  /** An fp32 model without adapters. */
  public static Gpt2Model of(Gpt2Weights weights) {
    return builder(weights).build();
  }

  /** A model over {@code weights}, which it takes over: closing the model closes them. */
  public static Builder builder(Gpt2Weights weights) {
    return new Builder(weights);
  }

  /** GPT-2's random initialisation ({@link Gpt2Weights#randomInit}), fp32, no adapters. */
  public static Gpt2Model randomInit(GptConfig config, long seed, NDManager parent) {
    return of(Gpt2Weights.randomInit(config, seed, parent));
  }

  /** What a model is made of besides its weights. */
  public static final class Builder {
    private final Gpt2Weights weights;
    private Precision precision = Precision.FP32;
    private Adapter adapter = Adapter.NONE;

    private Builder(Gpt2Weights weights) {
      this.weights = weights;
    }

    public Builder precision(Precision precision) {
      this.precision = java.util.Objects.requireNonNull(precision);
      return this;
    }

    /** New LoRA adapters, or none when {@code lora} is null. */
    public Builder lora(LoraSpec lora) {
      return adapter(
          lora == null
              ? Adapter.NONE
              : LoraAdapters.create(
                  Gpt2Keys.adapterTargets(weights.config()), lora, weights.manager()));
    }

    /** An adapter made elsewhere ({@link Adapter#NONE} by default). */
    public Builder adapter(Adapter adapter) {
      this.adapter = java.util.Objects.requireNonNull(adapter);
      return this;
    }

    public Gpt2Model build() {
      MatMul matMul = null;
      FusedOps fused = null;
      ScriptedBlocks scripted = null;
      OneDnnLinear headWithoutGrad = null;
      try {
        matMul = precision.matMul(weights.manager());
        fused = FusedOps.load(weights.manager());
        if (precision == Precision.FP32 && adapter == Adapter.NONE) {
          scripted = ScriptedBlocks.load(weights);
        }
        if (precision == Precision.FP32) {
          headWithoutGrad = OneDnnLinear.loadOnCpu(weights.head());
        }
        return new Gpt2Model(
            weights, precision, matMul, fused, scripted, headWithoutGrad, adapter, true);
      } catch (RuntimeException e) {
        weights.closeWith(matMul, fused, scripted, headWithoutGrad);
        throw e;
      }
    }
  }

  @Override
  public GptConfig config() {
    return config;
  }

  @Override
  public NDManager manager() {
    return weights.manager();
  }

  public Gpt2Weights weights() {
    return weights;
  }

  @Override
  public Precision precision() {
    return precision;
  }

  @Override
  public Adapter adapter() {
    return adapter;
  }

  @Override
  public Map<String, NDArray> parameters() {
    return parameters;
  }

  @Override
  public Gpt2Model adapted(Adapter other) {
    ScriptedBlocks blocks = other == Adapter.NONE ? scripted : null;
    return new Gpt2Model(weights, precision, matMul, fused, blocks, headWithoutGrad, other, false);
  }

  /**
   * The {@code GPT2LMHeadModel} file's tensors: the adapters' changes added to the weights they
   * adapt (query, key and value side by side in {@code c_attn}).
   */
  @Override
  public Map<String, NDArray> checkpointTensors() {
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      tensors.put(
          Gpt2Keys.toHuggingFace(e.getKey()), Gpt2Keys.merged(e.getKey(), e.getValue(), adapter));
    }
    return tensors;
  }

  /**
   * The hidden states of a batch whose rows have their own positions and may hide some keys (left
   * padding in batched generation): (B, T) -> (B, T, C).
   *
   * @param positionIds (B, T) each token's position in its own sequence
   * @param attentionMask (B, 1, T, past + T) additive: 0 where a token may attend, -inf elsewhere
   *     (causality included)
   */
  @Override
  public NDArray hidden(
      NDArray tokenIds, NDArray positionIds, NDArray attentionMask, KvCache cache) {
    long t = tokenIds.getShape().get(1);
    checkLength(cache == null ? 0 : cache.length(), t);
    NDArray tok = embedding(tokenIds, weights.tokenEmbedding()); // (B, T, C)
    NDArray pos = embedding(positionIds, weights.positionEmbedding()); // (T, C) or (B, T, C)
    NDArray x = tok.add(pos); // (B, T, C)
    if (scripted != null && !JniUtils.isGradMode()) {
      x = scripted.run(x, attentionMask, cache);
      if (cache != null) {
        cache.advance((int) t);
      }
      return x;
    }
    for (int i = 0; i < config.nLayers(); i++) {
      x = block(x, i, attentionMask, cache);
    }
    if (cache != null) {
      cache.advance((int) t);
    }
    return layerNorm(x, weights.finalNorm());
  }

  /**
   * The output head: (..., C) -> (..., V). Without gradients on the CPU, oneDNN's inner product
   * ({@link OneDnnLinear}: a decoded token's head product reads the weight faster than MKL's).
   */
  @Override
  public NDArray head(NDArray hidden) {
    NDArray logits =
        headWithoutGrad != null && !JniUtils.isGradMode()
            ? headWithoutGrad.apply(hidden)
            : matMul.apply(hidden, weights.head().transpose());
    return adapter.head(hidden, logits);
  }

  private NDArray block(NDArray x, int layer, NDArray mask, KvCache cache) {
    Gpt2Weights.Block w = weights.blocks().get(layer);
    x = x.add(attention(layerNorm(x, w.norm1()), layer, mask, cache));
    NDArray h = layerNorm(x, w.norm2());
    h = adapter.layer(layer, Gpt2Keys.FC, h, linear(h, w.fc())); // (B, T, 4C)
    h = fused.geluTanh(h);
    h = adapter.layer(layer, Gpt2Keys.MLP_OUT, h, linear(h, w.mlpOut())); // (B, T, C)
    return x.add(h);
  }

  private NDArray attention(NDArray x, int layer, NDArray mask, KvCache cache) {
    Gpt2Weights.Block w = weights.blocks().get(layer);
    Shape shape = x.getShape();
    long b = shape.get(0);
    long t = shape.get(1);
    long c = config.embDim();
    int heads = config.nHeads();
    long d = config.headDim();
    var qkv = linear(x, w.qkv()).split(3, 2); // 3 x (B, T, C)
    NDArray q = adapter.layer(layer, Gpt2Keys.QUERY, x, qkv.get(0));
    NDArray k = adapter.layer(layer, Gpt2Keys.KEY, x, qkv.get(1));
    NDArray v = adapter.layer(layer, Gpt2Keys.VALUE, x, qkv.get(2));
    q = q.reshape(b, t, heads, d).transpose(0, 2, 1, 3); // (B, H, T, D)
    k = k.reshape(b, t, heads, d).transpose(0, 2, 1, 3); // (B, H, T, D)
    v = v.reshape(b, t, heads, d).transpose(0, 2, 1, 3); // (B, H, T, D)
    if (cache != null) {
      var kv = cache.append(layer, k, v); // (B, H, past + T, D)
      k = kv.get(0);
      v = kv.get(1);
    }
    NDArray context =
        Attention.attend(q, k, v, mask, precision, matMul, fused)
            .transpose(0, 2, 1, 3)
            .reshape(b, t, c); // (B, T, C)
    return adapter.layer(layer, Gpt2Keys.ATTN_OUT, context, linear(context, w.attnOut()));
  }

  /** A Conv1D layer: weight (in, out). */
  private NDArray linear(NDArray x, Gpt2Weights.Projection p) {
    return matMul.linear(x, p.weight(), p.bias());
  }

  private NDArray layerNorm(NDArray x, Gpt2Weights.Norm norm) {
    return LayerNorm.layerNorm(
            x, new Shape(config.embDim()), norm.weight(), norm.bias(), GptConfig.LAYER_NORM_EPS)
        .head();
  }

  private static NDArray embedding(NDArray ids, NDArray table) {
    return Embedding.embedding(ids.toType(DataType.INT64, false), table, SparseFormat.DENSE).head();
  }

  @Override
  public void close() {
    if (ownsWeights) {
      weights.closeWith(matMul, fused, scripted, headWithoutGrad);
    }
  }
}
