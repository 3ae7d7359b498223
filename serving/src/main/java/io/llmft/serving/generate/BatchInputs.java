package io.llmft.serving.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.llmft.models.KvCache;
import io.llmft.models.LanguageModel;

/**
 * The model's input for one step of a batch whose rows are left-padded: each row's tokens sit at
 * columns {@code padding} on of a common timeline, keep their own positions and never attend to the
 * columns before them. Feeds {@code fed} new columns after {@code past} cached ones.
 */
public record BatchInputs(long[] ids, long[] positions, float[] mask, int rows, int fed, int past) {

  /**
   * @param tokens each row's tokens so far (at least up to column {@code past + fed - padding})
   * @param padding each row's first real column
   */
  public static BatchInputs of(int[][] tokens, int[] padding, int past, int fed) {
    int b = tokens.length;
    int keys = past + fed;
    long[] ids = new long[b * fed];
    long[] positions = new long[b * fed];
    float[] mask = new float[b * fed * keys];
    for (int r = 0; r < b; r++) {
      for (int j = 0; j < fed; j++) {
        int column = past + j; // this token's column among the batch's keys
        boolean pad = column < padding[r];
        ids[r * fed + j] = pad ? 0 : tokens[r][column - padding[r]];
        positions[r * fed + j] = pad ? 0 : column - padding[r];
        for (int key = 0; key < keys; key++) {
          // a padding token sees only itself: a row of -inf would give NaN keys and values,
          // and 0 * NaN would reach the real tokens through their zero attention weights
          boolean hidden = pad ? key != column : key > column || key < padding[r];
          if (hidden) {
            mask[(r * fed + j) * keys + key] = Float.NEGATIVE_INFINITY;
          }
        }
      }
    }
    return new BatchInputs(ids, positions, mask, b, fed, past);
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
            manager.create(mask, new Shape(rows, 1, fed, past + fed)),
            cache); // (B, T, C)
    return model.head(hidden.get(new NDIndex(":, -1, :"))).toFloatArray(); // (B, V)
  }
}
