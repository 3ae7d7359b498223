package io.llmft.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import io.llmft.models.Adapter;
import io.llmft.models.Attention;
import io.llmft.models.KvCache;
import io.llmft.models.LanguageModel;
import io.llmft.models.Precision;
import io.llmft.models.Tensors;
import io.llmft.models.engine.FusedOps;
import io.llmft.models.engine.MatMul;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Llama 3.2 and Qwen3 as plain NDArray code, the book's {@code Llama3Model} and {@code Qwen3Model}:
 * a token embedding, pre-RMSNorm blocks of grouped-query attention with rotary position embeddings
 * (Qwen3: an RMSNorm over each head of q and k before them) and a SwiGLU feed-forward {@code
 * down(silu(gate x) * up x)}, a final RMSNorm and an output head, tied to the embedding or its own.
 * No biases anywhere.
 *
 * <p>The KV cache holds each layer's keys and values after RoPE and before they are repeated for
 * the query heads: (B, KV, T, D). Immutable once built; shapes: B batch, T new tokens, C hidden, H
 * query heads, KV key/value heads, D head_dim, V vocabulary.
 */
public final class LlamaModel implements LanguageModel {
  private final LlamaConfig config;
  private final LlamaWeights weights;
  private final Precision precision;
  private final MatMul matMul;
  private final FusedOps fused;
  private final Rope rope;
  private final Adapter adapter;
  private final Map<String, NDArray> parameters;
  private final boolean ownsWeights;

  private LlamaModel(
      LlamaWeights weights,
      Precision precision,
      MatMul matMul,
      FusedOps fused,
      Rope rope,
      Adapter adapter,
      boolean ownsWeights) {
    this.ownsWeights = ownsWeights;
    this.config = weights.config();
    this.weights = weights;
    this.precision = precision;
    this.matMul = matMul;
    this.fused = fused;
    this.rope = rope;
    this.adapter = adapter;
    this.parameters = weights.named();
  }

  /** A model over {@code weights}, which it takes over: closing the model closes them. */
  static LlamaModel build(LlamaWeights weights, Precision precision, Adapter adapter) {
    MatMul matMul = null;
    FusedOps fused = null;
    Rope rope = null;
    try {
      matMul = precision.matMul(weights.manager());
      fused = FusedOps.load(weights.manager());
      rope = Rope.of(weights.config(), weights.manager());
      return new LlamaModel(weights, precision, matMul, fused, rope, adapter, true);
    } catch (RuntimeException e) {
      weights.closeWith(matMul, fused, rope);
      throw e;
    }
  }

  @Override
  public LlamaConfig config() {
    return config;
  }

  @Override
  public NDManager manager() {
    return weights.manager();
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
  public LlamaModel adapted(Adapter other) {
    return new LlamaModel(weights, precision, matMul, fused, rope, other, false);
  }

  @Override
  public Map<String, NDArray> checkpointTensors() {
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    parameters.forEach((name, value) -> tensors.put(name, LlamaKeys.merged(name, value, adapter)));
    return tensors;
  }

  @Override
  public NDArray hidden(
      NDArray tokenIds, NDArray positionIds, NDArray attentionMask, KvCache cache) {
    long t = tokenIds.getShape().get(1);
    checkLength(cache == null ? 0 : cache.length(), t);
    NDArray x =
        Embedding.embedding(
                tokenIds.toType(DataType.INT64, false),
                weights.tokenEmbedding(),
                SparseFormat.DENSE)
            .head(); // (B, T, C)
    NDList cosSin = rope.at(positionIds);
    for (int i = 0; i < config.nLayers(); i++) {
      x = block(x, i, cosSin, attentionMask, cache);
    }
    if (cache != null) {
      cache.advance((int) t);
    }
    return rmsNorm(x, weights.finalNorm());
  }

  @Override
  public NDArray head(NDArray hidden) {
    return adapter.head(hidden, project(hidden, weights.head()));
  }

  private NDArray block(NDArray x, int layer, NDList cosSin, NDArray mask, KvCache cache) {
    LlamaWeights.Block w = weights.blocks().get(layer);
    x = x.add(attention(rmsNorm(x, w.inputNorm()), layer, cosSin, mask, cache));
    NDArray h = rmsNorm(x, w.postAttentionNorm());
    NDArray gate = adapter.layer(layer, LlamaKeys.GATE, h, project(h, w.gate())); // (B, T, I)
    NDArray up = adapter.layer(layer, LlamaKeys.UP, h, project(h, w.up())); // (B, T, I)
    NDArray inner = Activation.sigmoid(gate).mul(gate).mul(up); // silu(gate) * up
    return x.add(adapter.layer(layer, LlamaKeys.DOWN, inner, project(inner, w.down())));
  }

  private NDArray attention(NDArray x, int layer, NDList cosSin, NDArray mask, KvCache cache) {
    LlamaWeights.Block w = weights.blocks().get(layer);
    Shape shape = x.getShape();
    long b = shape.get(0);
    long t = shape.get(1);
    long d = config.headDim();
    NDArray q = adapter.layer(layer, LlamaKeys.QUERY, x, project(x, w.query()));
    NDArray k = adapter.layer(layer, LlamaKeys.KEY, x, project(x, w.key()));
    NDArray v = adapter.layer(layer, LlamaKeys.VALUE, x, project(x, w.value()));
    q = q.reshape(b, t, config.nHeads(), d).transpose(0, 2, 1, 3); // (B, H, T, D)
    k = k.reshape(b, t, config.nKvHeads(), d).transpose(0, 2, 1, 3); // (B, KV, T, D)
    v = v.reshape(b, t, config.nKvHeads(), d).transpose(0, 2, 1, 3); // (B, KV, T, D)
    if (config.qkNorm()) {
      q = rmsNorm(q, w.queryNorm());
      k = rmsNorm(k, w.keyNorm());
    }
    q = Rope.apply(q, cosSin);
    k = Rope.apply(k, cosSin);
    if (cache != null) {
      NDList kv = cache.append(layer, k, v); // (B, KV, past + T, D)
      k = kv.get(0);
      v = kv.get(1);
    }
    NDArray context =
        Attention.attend(
                q, repeatKv(k), repeatKv(v), mask, precision, matMul, fused) // (B, H, T, D)
            .transpose(0, 2, 1, 3)
            .reshape(b, t, config.nHeads() * d); // (B, T, H * D)
    return adapter.layer(layer, LlamaKeys.OUTPUT, context, project(context, w.output()));
  }

  /**
   * {@code repeat_interleave(group, dim=1)}: key/value head j serves query heads j·g ... j·g+g−1.
   * (B, KV, S, D) -> (B, H, S, D)
   */
  private NDArray repeatKv(NDArray kv) {
    int g = config.groupSize();
    if (g == 1) {
      return kv;
    }
    Shape s = kv.getShape();
    return kv.expandDims(2)
        .broadcast(new Shape(s.get(0), s.get(1), g, s.get(2), s.get(3)))
        .reshape(s.get(0), s.get(1) * g, s.get(2), s.get(3));
  }

  /** {@code nn.Linear} without bias: weight (out, in). */
  private NDArray project(NDArray x, NDArray weight) {
    return matMul.apply(x, weight.transpose());
  }

  /** {@code x / sqrt(mean(x^2) + eps) * scale} over the last axis, in fp32 as the book. */
  private NDArray rmsNorm(NDArray x, NDArray scale) {
    NDArray variance = x.square().mean(new int[] {-1}, true);
    NDArray norm = variance.add(Tensors.constant(variance, (float) config.normEps())).sqrt();
    return x.div(norm).mul(scale);
  }

  @Override
  public void close() {
    if (ownsWeights) {
      weights.closeWith(matMul, fused, rope);
    }
  }
}
