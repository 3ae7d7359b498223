package io.llmft.serving.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.llmft.models.KvCache;
import io.llmft.models.LanguageModel;

/**
 * The model's input for one step of a batch whose rows are left-padded: each row's tokens sit at
 * columns {@code padding} on of a common timeline, keep their own positions and never attend to the
 * columns before them. Feeds {@code fed} new columns after {@code past} cached ones. The attention
 * mask (rows × fed × keys) is made on the model's device from the rows' first columns, never in the
 * Java heap.
 */
public record BatchInputs(
    long[] ids, long[] positions, long[] padding, int rows, int fed, int past) {

  /**
   * @param tokens each row's tokens so far (at least up to column {@code past + fed - padding})
   * @param padding each row's first real column
   */
  public static BatchInputs of(int[][] tokens, int[] padding, int past, int fed) {
    int b = tokens.length;
    long[] ids = new long[b * fed];
    long[] positions = new long[b * fed];
    long[] first = new long[b];
    for (int r = 0; r < b; r++) {
      first[r] = padding[r];
      for (int j = 0; j < fed; j++) {
        int column = past + j; // this token's column among the batch's keys
        boolean pad = column < padding[r];
        ids[r * fed + j] = pad ? 0 : tokens[r][column - padding[r]];
        positions[r * fed + j] = pad ? 0 : column - padding[r];
      }
    }
    return new BatchInputs(ids, positions, first, b, fed, past);
  }

  /**
   * The additive mask (rows, 1, fed, past + fed): a real token sees the keys from its row's first
   * column through its own; a padding token sees only itself (a row of -inf would give NaN keys and
   * values, and 0 * NaN would reach the real tokens through their zero attention weights).
   */
  NDArray mask(NDManager manager) {
    int keys = past + fed;
    NDArray key = manager.arange(0L, keys, 1L, DataType.INT64).reshape(1, 1, 1, keys);
    NDArray column = manager.arange((long) past, keys, 1L, DataType.INT64).reshape(1, 1, fed, 1);
    NDArray first = manager.create(padding, new Shape(rows, 1, 1, 1));
    NDArray padToken = column.lt(first); // (B, 1, F, 1)
    NDArray hiddenFromReal = key.gt(column).logicalOr(key.lt(first)); // (B, 1, F, K)
    NDArray hiddenFromPad = key.neq(column); // (1, 1, F, K)
    NDArray hidden =
        padToken
            .logicalAnd(hiddenFromPad)
            .logicalOr(padToken.logicalNot().logicalAnd(hiddenFromReal)); // (B, 1, F, K)
    // log(1) = 0 where a key is seen, log(0) = -inf where it is hidden
    return hidden.logicalNot().toType(DataType.FLOAT32, false).log();
  }

  /**
   * Runs the step: the cache grows by {@code fed} columns; returns the logits of each row's last
   * column, row after row (B * V).
   */
  public float[] lastLogits(LanguageModel model, KvCache cache) {
    NDManager manager = model.manager();
    NDArray hidden =
        model.hidden(
            manager.create(ids, new Shape(rows, fed)),
            manager.create(positions, new Shape(rows, fed)),
            mask(manager),
            cache); // (B, T, C)
    return model.head(hidden.get(new NDIndex(":, -1, :"))).toFloatArray(); // (B, V)
  }

  /** Runs the step for the cache only (a prefill chunk before the last): no logits are made. */
  public void fill(LanguageModel model, KvCache cache) {
    NDManager manager = model.manager();
    model.hidden(
        manager.create(ids, new Shape(rows, fed)),
        manager.create(positions, new Shape(rows, fed)),
        mask(manager),
        cache);
  }
}
