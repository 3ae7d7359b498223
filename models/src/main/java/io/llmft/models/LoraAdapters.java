package io.llmft.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llmft.models.engine.NativeArrays;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The book's Exercise 7.4 (LoRA) on any family: every projection its family names ({@link Targets})
 * gets an adapter that adds {@code alpha * (x A B)} (alpha itself, not alpha / rank), with A (in,
 * rank) Kaiming-uniform(a = sqrt 5), which is uniform(-1/sqrt(rank), 1/sqrt(rank)) for that shape,
 * and B (rank, out) zeros. Only the adapters are trained; the model's weights stay as they are.
 */
public final class LoraAdapters implements Adapter {
  private final Targets targets;
  private final int rank;
  private final float alpha;
  private final List<Map<String, LowRank>> blocks;
  private final LowRank head;
  private final Map<String, NDArray> named;

  /**
   * Where a family puts adapters: the projections of every block, in the order their A matrices are
   * drawn, and the output head or not. Adapter names are {@code <blockPrefix><i>.<target>.lora_A}
   * and {@code lm_head.lora_A} (and {@code lora_B}).
   */
  public record Targets(
      ModelFamily family, int blocks, String blockPrefix, List<Target> perBlock, Target head) {
    public Targets {
      perBlock = List.copyOf(perBlock);
    }

    /** Trainable parameters of adapters of this rank (7,898,384 for gpt2-medium at rank 16). */
    public long parameterCount(int rank) {
      long perBlockCount = perBlock.stream().mapToLong(t -> rank * (t.in + t.out)).sum();
      return blocks * perBlockCount + (head == null ? 0 : rank * (head.in + head.out));
    }
  }

  /** An adapted projection: its name within a block and its widths. */
  public record Target(String name, long in, long out) {}

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

  private LoraAdapters(
      Targets targets, int rank, float alpha, List<Map<String, LowRank>> blocks, LowRank head) {
    this.targets = targets;
    this.rank = rank;
    this.alpha = alpha;
    this.blocks = List.copyOf(blocks);
    this.head = head;
    Map<String, NDArray> names = new LinkedHashMap<>();
    for (int i = 0; i < blocks.size(); i++) {
      for (Map.Entry<String, LowRank> e : blocks.get(i).entrySet()) {
        String layer = targets.blockPrefix() + i + "." + e.getKey();
        names.put(layer + ".lora_A", e.getValue().a);
        names.put(layer + ".lora_B", e.getValue().b);
      }
    }
    if (head != null) {
      names.put("lm_head.lora_A", head.a);
      names.put("lm_head.lora_B", head.b);
    }
    this.named = Collections.unmodifiableMap(names);
  }

  /** New adapters in {@code manager}; the random A matrices come from {@code spec.seed()}. */
  public static LoraAdapters create(Targets targets, LoraSpec spec, NDManager manager) {
    Random random = new Random(spec.seed());
    double bound = 1 / Math.sqrt(spec.rank());
    List<Map<String, LowRank>> blocks = new ArrayList<>();
    for (int i = 0; i < targets.blocks(); i++) {
      Map<String, LowRank> block = new LinkedHashMap<>();
      for (Target t : targets.perBlock()) {
        block.put(t.name(), lowRank(t, spec.rank(), bound, random, manager));
      }
      blocks.add(block);
    }
    LowRank head =
        targets.head() == null
            ? null
            : lowRank(targets.head(), spec.rank(), bound, random, manager);
    return new LoraAdapters(targets, spec.rank(), spec.alpha(), blocks, head);
  }

  /**
   * Adapters made elsewhere (read from a file), by adapter name: {@code <blockPrefix><i>.<target>
   * .lora_A} (in, r) and {@code .lora_B} (r, out), {@code lm_head.lora_A} and {@code
   * lm_head.lora_B}. Each projection may have its own rank; one the map does not name is not
   * adapted. The arrays stay in their manager.
   *
   * @param rank the rank most projections have, as a config states it
   * @throws IllegalArgumentException naming the first key that is not an adapter of {@code
   *     targets}, lacks its other half or does not fit the projection's widths
   */
  public static LoraAdapters of(
      Targets targets, int rank, float alpha, Map<String, NDArray> named) {
    List<Map<String, LowRank>> blocks = new ArrayList<>();
    for (int i = 0; i < targets.blocks(); i++) {
      Map<String, LowRank> block = new LinkedHashMap<>();
      for (Target t : targets.perBlock()) {
        LowRank l = lowRank(t, targets.blockPrefix() + i + "." + t.name(), named);
        if (l != null) {
          block.put(t.name(), l);
        }
      }
      blocks.add(block);
    }
    LowRank head = targets.head() == null ? null : lowRank(targets.head(), "lm_head", named);
    LoraAdapters adapters = new LoraAdapters(targets, rank, alpha, blocks, head);
    for (String key : named.keySet()) {
      if (!adapters.named.containsKey(key)) {
        throw new IllegalArgumentException(
            key + " is not an adapter of a " + targets.family().modelType() + " model");
      }
    }
    return adapters;
  }

  private static LowRank lowRank(Target t, String layer, Map<String, NDArray> named) {
    NDArray a = named.get(layer + ".lora_A");
    NDArray b = named.get(layer + ".lora_B");
    if (a == null && b == null) {
      return null;
    }
    if (a == null || b == null) {
      throw new IllegalArgumentException(layer + " has only one of lora_A and lora_B");
    }
    long[] sa = a.getShape().getShape();
    long[] sb = b.getShape().getShape();
    if (sa.length != 2 || sb.length != 2 || sa[0] != t.in() || sb[1] != t.out() || sa[1] != sb[0]) {
      throw new IllegalArgumentException(
          layer
              + ": lora_A "
              + a.getShape()
              + " and lora_B "
              + b.getShape()
              + " do not make a ("
              + t.in()
              + ", "
              + t.out()
              + ") projection");
    }
    return new LowRank(a, b);
  }

  private static LowRank lowRank(
      Target t, int rank, double bound, Random random, NDManager manager) {
    float[] a = new float[Math.toIntExact(t.in() * rank)];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
    return new LowRank(
        NativeArrays.copyOf(manager, a, new Shape(t.in(), rank)),
        manager.zeros(new Shape(rank, t.out())));
  }

  public Targets targets() {
    return targets;
  }

  public ModelFamily family() {
    return targets.family();
  }

  public int rank() {
    return rank;
  }

  public float alpha() {
    return alpha;
  }

  /** The adapters by name, in model order (A then B of each layer). */
  public Map<String, NDArray> parameters() {
    return named;
  }

  @Override
  public NDArray layer(int block, String target, NDArray x, NDArray y) {
    NDArray update = update(block, target, x);
    return update == null ? y : y.add(update);
  }

  @Override
  public NDArray head(NDArray x, NDArray y) {
    NDArray update = headUpdate(x);
    return update == null ? y : y.add(update);
  }

  /** What this adapter adds to a projection's output, {@code alpha x A B}, or null. */
  NDArray update(int block, String target, NDArray x) {
    LowRank l = blocks.get(block).get(target);
    return l == null ? null : l.apply(x, alpha);
  }

  /** What this adapter adds to the output head's logits, or null. */
  NDArray headUpdate(NDArray x) {
    return head == null ? null : head.apply(x, alpha);
  }

  @Override
  public Map<String, NDArray> trainable(Map<String, NDArray> modelParameters) {
    return named;
  }

  @Override
  public NDArray delta(int block, String target) {
    LowRank l = blocks.get(block).get(target);
    return l == null ? null : l.delta(alpha);
  }

  @Override
  public NDArray headDelta() {
    return head == null ? null : head.delta(alpha);
  }
}
