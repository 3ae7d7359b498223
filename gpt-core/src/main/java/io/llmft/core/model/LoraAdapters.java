package io.llmft.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llmft.core.engine.NativeArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The book's Exercise 7.4 (LoRA): every Linear layer of its GPT model — query, key and value each
 * on its own, the attention output projection, both MLP layers and the output head — gets an
 * adapter that adds {@code alpha * (x A B)} (alpha itself, not alpha / rank), with A (in, rank)
 * Kaiming-uniform(a = sqrt 5), which is uniform(-1/sqrt(rank), 1/sqrt(rank)) for that shape, and B
 * (rank, out) zeros. Only the adapters are trained; the model's weights stay as they are.
 */
public final class LoraAdapters implements Adapter {
  private final GptConfig config;
  private final int rank;
  private final float alpha;
  private final List<BlockAdapters> blocks;
  private final LowRank head;
  private final Map<String, NDArray> named;

  /** One adapted layer: {@code alpha * x A B}, A (in, rank), B (rank, out). */
  record LowRank(NDArray a, NDArray b) {
    NDArray apply(NDArray x, float alpha) {
      return x.matMul(a).matMul(b).mul(Tensors.constant(x, alpha));
    }

    /** {@code alpha * A B}: the change of the layer's (in, out) weight. */
    NDArray delta(float alpha) {
      NDArray product = a.matMul(b);
      return product.mul(Tensors.constant(product, alpha));
    }
  }

  record BlockAdapters(
      LowRank q, LowRank k, LowRank v, LowRank attnOut, LowRank fc, LowRank mlpOut) {
    LowRank of(Adapter.Layer layer) {
      return switch (layer) {
        case ATTN_OUT -> attnOut;
        case FC -> fc;
        case MLP_OUT -> mlpOut;
      };
    }
  }

  private LoraAdapters(
      GptConfig config, int rank, float alpha, List<BlockAdapters> blocks, LowRank head) {
    this.config = config;
    this.rank = rank;
    this.alpha = alpha;
    this.blocks = List.copyOf(blocks);
    this.head = head;
    this.named = CheckpointKeys.named(this);
  }

  /** Trainable parameters of the adapters for a config (7,898,384 for gpt2-medium at rank 16). */
  public static long parameterCount(GptConfig config, int rank) {
    long c = config.embDim();
    long perBlock = rank * (3 * (c + c) + (c + c) + (c + 4 * c) + (4 * c + c));
    return config.nLayers() * perBlock + rank * (c + config.vocabSize());
  }

  /** New adapters in {@code manager}; the random A matrices come from {@code seed}. */
  public static LoraAdapters create(
      GptConfig config, int rank, float alpha, long seed, NDManager manager) {
    if (rank <= 0) {
      throw new IllegalArgumentException("lora.rank must be positive");
    }
    Random random = new Random(seed);
    double bound = 1 / Math.sqrt(rank);
    long c = config.embDim();
    List<BlockAdapters> blocks = new ArrayList<>();
    for (int i = 0; i < config.nLayers(); i++) {
      blocks.add(
          new BlockAdapters(
              lowRank(c, c, rank, bound, random, manager),
              lowRank(c, c, rank, bound, random, manager),
              lowRank(c, c, rank, bound, random, manager),
              lowRank(c, c, rank, bound, random, manager),
              lowRank(c, 4 * c, rank, bound, random, manager),
              lowRank(4 * c, c, rank, bound, random, manager)));
    }
    LowRank head = lowRank(c, config.vocabSize(), rank, bound, random, manager);
    return new LoraAdapters(config, rank, alpha, blocks, head);
  }

  private static LowRank lowRank(
      long in, long out, int rank, double bound, Random random, NDManager manager) {
    float[] a = new float[Math.toIntExact(in * rank)];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
    return new LowRank(
        NativeArrays.copyOf(manager, a, new Shape(in, rank)), manager.zeros(new Shape(rank, out)));
  }

  public GptConfig config() {
    return config;
  }

  public int rank() {
    return rank;
  }

  public float alpha() {
    return alpha;
  }

  /** The adapters by name, in model order. */
  public Map<String, NDArray> parameters() {
    return named;
  }

  /** Every array (A then B of each layer), in model order. */
  List<NDArray> arrays() {
    List<NDArray> all = new ArrayList<>();
    for (BlockAdapters b : blocks) {
      for (LowRank l : List.of(b.q, b.k, b.v, b.attnOut, b.fc, b.mlpOut)) {
        all.add(l.a);
        all.add(l.b);
      }
    }
    all.add(head.a);
    all.add(head.b);
    return all;
  }

  @Override
  public NDArray qkv(int block, NDArray x, NDArray y) {
    BlockAdapters b = blocks.get(block);
    return y.add(
        NDArrays.concat(
            new NDList(b.q.apply(x, alpha), b.k.apply(x, alpha), b.v.apply(x, alpha)), -1));
  }

  @Override
  public NDArray layer(int block, Adapter.Layer layer, NDArray x, NDArray y) {
    return y.add(blocks.get(block).of(layer).apply(x, alpha));
  }

  @Override
  public NDArray head(NDArray x, NDArray y) {
    return y.add(head.apply(x, alpha));
  }

  @Override
  public Map<String, NDArray> trainable(Map<String, NDArray> modelParameters) {
    return named;
  }

  @Override
  public Gpt2Weights merge(Gpt2Weights w) {
    List<Gpt2Weights.Block> merged = new ArrayList<>();
    for (int i = 0; i < w.blocks().size(); i++) {
      Gpt2Weights.Block block = w.blocks().get(i);
      BlockAdapters a = blocks.get(i);
      NDArray qkv =
          NDArrays.concat(new NDList(a.q.delta(alpha), a.k.delta(alpha), a.v.delta(alpha)), 1);
      merged.add(
          new Gpt2Weights.Block(
              block.norm1(),
              plus(block.qkv(), qkv),
              plus(block.attnOut(), a.attnOut.delta(alpha)),
              block.norm2(),
              plus(block.fc(), a.fc.delta(alpha)),
              plus(block.mlpOut(), a.mlpOut.delta(alpha))));
    }
    return new Gpt2Weights(
        w.config(),
        w.tokenEmbedding(),
        w.positionEmbedding(),
        merged,
        w.finalNorm(),
        w.head().add(head.delta(alpha).transpose()),
        w.manager());
  }

  private static Gpt2Weights.Projection plus(Gpt2Weights.Projection p, NDArray delta) {
    return new Gpt2Weights.Projection(p.weight().add(delta), p.bias());
  }
}
