package io.llmft.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llmft.models.Adapter;
import io.llmft.models.LoraAdapters;
import io.llmft.models.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every name a Llama or Qwen3 weight has, the Hugging Face {@code LlamaForCausalLM} / {@code
 * Qwen3ForCausalLM} keys ({@code model.embed_tokens.weight}, {@code
 * model.layers.0.self_attn.q_proj.weight}, ..., {@code lm_head.weight}), which are also the
 * checkpoint names; the LoRA targets are the block's seven projections.
 */
public final class LlamaKeys {
  static final String EMBEDDING = "model.embed_tokens.weight";
  static final String FINAL_NORM = "model.norm.weight";
  static final String HEAD = "lm_head.weight";
  static final String LAYERS = "model.layers.";

  static final String QUERY = "self_attn.q_proj";
  static final String KEY = "self_attn.k_proj";
  static final String VALUE = "self_attn.v_proj";
  static final String OUTPUT = "self_attn.o_proj";
  static final String GATE = "mlp.gate_proj";
  static final String UP = "mlp.up_proj";
  static final String DOWN = "mlp.down_proj";

  private LlamaKeys() {}

  /** The parameter names and shapes of a file of this config, {@code lm_head.weight} included. */
  static Map<String, Shape> shapes(LlamaConfig c) {
    long h = c.hiddenSize();
    long q = (long) c.nHeads() * c.headDim();
    long kv = (long) c.nKvHeads() * c.headDim();
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put(EMBEDDING, new Shape(c.vocabSize(), h));
    for (int i = 0; i < c.nLayers(); i++) {
      String p = LAYERS + i + ".";
      shapes.put(p + "input_layernorm.weight", new Shape(h));
      shapes.put(p + QUERY + ".weight", new Shape(q, h));
      shapes.put(p + KEY + ".weight", new Shape(kv, h));
      shapes.put(p + VALUE + ".weight", new Shape(kv, h));
      shapes.put(p + OUTPUT + ".weight", new Shape(h, q));
      if (c.qkNorm()) {
        shapes.put(p + "self_attn.q_norm.weight", new Shape(c.headDim()));
        shapes.put(p + "self_attn.k_norm.weight", new Shape(c.headDim()));
      }
      shapes.put(p + "post_attention_layernorm.weight", new Shape(h));
      shapes.put(p + GATE + ".weight", new Shape(c.intermediateSize(), h));
      shapes.put(p + UP + ".weight", new Shape(c.intermediateSize(), h));
      shapes.put(p + DOWN + ".weight", new Shape(h, c.intermediateSize()));
    }
    shapes.put(FINAL_NORM, new Shape(h));
    shapes.put(HEAD, new Shape(c.vocabSize(), h));
    return shapes;
  }

  /** Whether the parameter is an RMSNorm scale (initialised to 1). */
  static boolean isNormScale(String name) {
    return name.endsWith("norm.weight");
  }

  /**
   * The weights from named arrays in {@code manager}, which they take over (and close when the
   * arrays do not fit): a tied config uses the embedding as its head (a {@code lm_head.weight} in
   * the file is dropped), an untied one needs its own.
   */
  static LlamaWeights fromNamed(LlamaConfig c, Map<String, NDArray> arrays, NDManager manager) {
    try {
      Map<String, Shape> shapes = shapes(c);
      if (c.tiedHead()) {
        NDArray extra = arrays.remove(HEAD);
        if (extra != null) {
          extra.close();
        }
        shapes.remove(HEAD);
      }
      Map<String, NDArray> a = new LinkedHashMap<>();
      shapes.forEach(
          (name, shape) -> {
            NDArray array = Tensors.requireShape(name, arrays.get(name), shape);
            array.setName(name);
            a.put(name, array);
          });
      List<LlamaWeights.Block> blocks = new ArrayList<>();
      for (int i = 0; i < c.nLayers(); i++) {
        String p = LAYERS + i + ".";
        blocks.add(
            new LlamaWeights.Block(
                a.get(p + "input_layernorm.weight"),
                a.get(p + QUERY + ".weight"),
                a.get(p + KEY + ".weight"),
                a.get(p + VALUE + ".weight"),
                a.get(p + OUTPUT + ".weight"),
                a.get(p + "self_attn.q_norm.weight"),
                a.get(p + "self_attn.k_norm.weight"),
                a.get(p + "post_attention_layernorm.weight"),
                a.get(p + GATE + ".weight"),
                a.get(p + UP + ".weight"),
                a.get(p + DOWN + ".weight")));
      }
      NDArray embedding = a.get(EMBEDDING);
      return new LlamaWeights(
          c, embedding, blocks, a.get(FINAL_NORM), c.tiedHead() ? embedding : a.get(HEAD), manager);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** The weights by name, in checkpoint order; a tied head is not listed. */
  static Map<String, NDArray> named(LlamaWeights w) {
    LlamaConfig c = w.config();
    Map<String, NDArray> named = new LinkedHashMap<>();
    named.put(EMBEDDING, w.tokenEmbedding());
    for (int i = 0; i < c.nLayers(); i++) {
      String p = LAYERS + i + ".";
      LlamaWeights.Block b = w.blocks().get(i);
      named.put(p + "input_layernorm.weight", b.inputNorm());
      named.put(p + QUERY + ".weight", b.query());
      named.put(p + KEY + ".weight", b.key());
      named.put(p + VALUE + ".weight", b.value());
      named.put(p + OUTPUT + ".weight", b.output());
      if (c.qkNorm()) {
        named.put(p + "self_attn.q_norm.weight", b.queryNorm());
        named.put(p + "self_attn.k_norm.weight", b.keyNorm());
      }
      named.put(p + "post_attention_layernorm.weight", b.postAttentionNorm());
      named.put(p + GATE + ".weight", b.gate());
      named.put(p + UP + ".weight", b.up());
      named.put(p + DOWN + ".weight", b.down());
    }
    named.put(FINAL_NORM, w.finalNorm());
    if (!c.tiedHead()) {
      named.put(HEAD, w.head());
    }
    return Collections.unmodifiableMap(named);
  }

  /** LoRA on the seven projections of every block (q, k, v, o, gate, up, down), not the head. */
  static LoraAdapters.Targets adapterTargets(LlamaConfig c) {
    long h = c.hiddenSize();
    long q = (long) c.nHeads() * c.headDim();
    long kv = (long) c.nKvHeads() * c.headDim();
    long i = c.intermediateSize();
    return new LoraAdapters.Targets(
        c.family(),
        c.nLayers(),
        LAYERS,
        List.of(
            new LoraAdapters.Target(QUERY, h, q),
            new LoraAdapters.Target(KEY, h, kv),
            new LoraAdapters.Target(VALUE, h, kv),
            new LoraAdapters.Target(OUTPUT, q, h),
            new LoraAdapters.Target(GATE, h, i),
            new LoraAdapters.Target(UP, h, i),
            new LoraAdapters.Target(DOWN, i, h)),
        null);
  }

  /**
   * A parameter with the adapter's change added (a new array: {@code W + (alpha A B)^T}, W being
   * (out, in)), or itself.
   */
  static NDArray merged(String name, NDArray value, Adapter adapter) {
    if (adapter == Adapter.NONE || !name.startsWith(LAYERS) || !name.endsWith("_proj.weight")) {
      return value;
    }
    String rest = name.substring(LAYERS.length());
    int dot = rest.indexOf('.');
    int block = Integer.parseInt(rest.substring(0, dot));
    String target = rest.substring(dot + 1, rest.length() - ".weight".length());
    NDArray delta = adapter.delta(block, target);
    return delta == null ? value : value.add(delta.transpose());
  }
}
