package io.llmft.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch whose rows each have their own LoRA adapters (or none) over one shared base model, as
 * vLLM serves many adapters of one base: the base's products are computed once for the whole batch,
 * then each adapter's low-rank update for its own rows only, added where those rows are. A row gets
 * what the model with its adapter alone gives it (up to float rounding of the row subsets).
 *
 * <p>Serving only: nothing here is trained.
 */
public final class RowAdapters implements Adapter {
  /** The rows of one adapter, ascending. */
  private record Group(LoraAdapters adapter, long[] rows) {}

  private final List<Group> groups;

  /** The position in the concatenated updates ({@link #add}) that each batch row takes. */
  private final long[] order;

  /**
   * The index arrays above, made at a pass's first layer and reused by its others (made again when
   * the scope they were made in has closed them: a prefill's next chunk).
   */
  private NDArray[] groupIndex;

  private NDArray orderIndex;

  private RowAdapters(int batch, List<Group> groups) {
    this.groups = groups;
    this.order = new long[batch];
    int adapted = groups.stream().mapToInt(g -> g.rows.length).sum();
    java.util.Arrays.fill(order, adapted); // the zero row after every group's updates
    int next = 0;
    for (Group g : groups) {
      for (long row : g.rows) {
        order[(int) row] = next++;
      }
    }
  }

  /**
   * The adapter of every row: {@link Adapter#NONE}, or one {@link LoraAdapters}; rows of one
   * adapter share its arrays. When every row has the same adapter, that adapter itself.
   */
  public static Adapter of(List<? extends Adapter> perRow) {
    if (perRow.isEmpty()) {
      throw new IllegalArgumentException("no rows");
    }
    Adapter first = perRow.get(0);
    if (perRow.stream().allMatch(a -> a == first)) {
      return first;
    }
    Map<LoraAdapters, List<Long>> rows = new IdentityHashMap<>();
    List<LoraAdapters> seen = new ArrayList<>();
    for (int r = 0; r < perRow.size(); r++) {
      Adapter a = perRow.get(r);
      if (a instanceof LoraAdapters lora) {
        if (!rows.containsKey(lora)) {
          seen.add(lora);
        }
        rows.computeIfAbsent(lora, k -> new ArrayList<>()).add((long) r);
      } else if (a != Adapter.NONE) {
        throw new IllegalArgumentException("a row's adapter must be NONE or LoRA, not " + a);
      }
    }
    List<Group> groups = new ArrayList<>();
    for (LoraAdapters lora : seen) {
      groups.add(new Group(lora, rows.get(lora).stream().mapToLong(Long::longValue).toArray()));
    }
    return new RowAdapters(perRow.size(), List.copyOf(groups));
  }

  @Override
  public NDArray layer(int block, String target, NDArray x, NDArray y) {
    List<NDArray> updates = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      updates.add(groups.get(i).adapter.update(block, target, rowsOf(x, i)));
    }
    return add(y, updates);
  }

  @Override
  public NDArray head(NDArray x, NDArray y) {
    List<NDArray> updates = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      updates.add(groups.get(i).adapter.headUpdate(rowsOf(x, i)));
    }
    return add(y, updates);
  }

  /** Group {@code i}'s rows of a (B, ...) array: (rows, ...). */
  private NDArray rowsOf(NDArray x, int i) {
    if (orderIndex == null || orderIndex.isReleased()) {
      groupIndex = new NDArray[groups.size()];
      for (int g = 0; g < groups.size(); g++) {
        groupIndex[g] = x.getManager().create(groups.get(g).rows);
      }
      orderIndex = x.getManager().create(order);
    }
    return x.get(new NDIndex("{}", groupIndex[i]));
  }

  /**
   * {@code y} plus each group's update at its rows: the updates, then one zero row for the rows
   * without one, concatenated and put into batch order by one gather.
   */
  private NDArray add(NDArray y, List<NDArray> updates) {
    if (updates.stream().allMatch(u -> u == null)) {
      return y;
    }
    Shape row = y.getShape().slice(1);
    NDList parts = new NDList();
    for (int i = 0; i < groups.size(); i++) {
      NDArray u = updates.get(i);
      parts.add(
          u != null
              ? u
              : y.getManager()
                  .zeros(new Shape(groups.get(i).rows.length).addAll(row), y.getDataType()));
    }
    parts.add(y.getManager().zeros(new Shape(1).addAll(row), y.getDataType()));
    NDArray all = NDArrays.concat(parts, 0); // (adapted rows + 1, ...)
    return y.add(all.get(new NDIndex("{}", orderIndex))); // (B, ...)
  }

  @Override
  public Map<String, NDArray> trainable(Map<String, NDArray> modelParameters) {
    throw new UnsupportedOperationException("per-row adapters serve; they are not trained");
  }

  @Override
  public NDArray delta(int block, String target) {
    throw new UnsupportedOperationException("per-row adapters have no single merged weight");
  }

  @Override
  public NDArray headDelta() {
    throw new UnsupportedOperationException("per-row adapters have no single merged weight");
  }
}
