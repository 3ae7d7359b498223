package io.llmft.models.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llmft.models.Safetensors;
import io.llmft.models.engine.NativeArrays;
import java.util.List;

/** A small row-major float matrix on the Java heap: an adapter's A or B while it is converted. */
record Matrix(int rows, int cols, float[] data) {
  static Matrix of(NDArray array) {
    long[] s = array.getShape().getShape();
    return new Matrix(Math.toIntExact(s[0]), Math.toIntExact(s[1]), array.toFloatArray());
  }

  static Matrix of(Safetensors.Tensor tensor, String key) {
    if (tensor.shape().length != 2) {
      throw new IllegalArgumentException(
          PeftAdapters.WEIGHTS_FILE + ": " + key + " is not a matrix");
    }
    return new Matrix(
        Math.toIntExact(tensor.shape()[0]), Math.toIntExact(tensor.shape()[1]), tensor.data());
  }

  float get(int i, int j) {
    return data[i * cols + j];
  }

  Matrix transposed() {
    float[] out = new float[data.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        out[j * rows + i] = get(i, j);
      }
    }
    return new Matrix(cols, rows, out);
  }

  Matrix scaled(float factor) {
    if (factor == 1f) {
      return this;
    }
    float[] out = new float[data.length];
    for (int i = 0; i < data.length; i++) {
      out[i] = data[i] * factor;
    }
    return new Matrix(rows, cols, out);
  }

  /** Columns {@code from} to {@code to} (exclusive). */
  Matrix columns(int from, int to) {
    float[] out = new float[rows * (to - from)];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(data, i * cols + from, out, i * (to - from), to - from);
    }
    return new Matrix(rows, to - from, out);
  }

  /** Rows {@code from} to {@code to} (exclusive). */
  Matrix rowRange(int from, int to) {
    float[] out = new float[(to - from) * cols];
    System.arraycopy(data, from * cols, out, 0, out.length);
    return new Matrix(to - from, cols, out);
  }

  /**
   * Whether this (parts * r, parts * width) matrix is zero outside its diagonal blocks (r, width).
   */
  boolean isBlockDiagonal(int parts, int width) {
    int r = rows / parts;
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        if (i / r != j / width && get(i, j) != 0f) {
          return false;
        }
      }
    }
    return true;
  }

  /** The matrices side by side, (in, r1 + r2 + ...); null ones (absent adapters) left out. */
  static Matrix stackColumns(List<Matrix> parts) {
    List<Matrix> present = parts.stream().filter(java.util.Objects::nonNull).toList();
    int rows = present.get(0).rows;
    int cols = present.stream().mapToInt(Matrix::cols).sum();
    float[] out = new float[rows * cols];
    int at = 0;
    for (Matrix m : present) {
      for (int i = 0; i < rows; i++) {
        System.arraycopy(m.data, i * m.cols, out, i * cols + at, m.cols);
      }
      at += m.cols;
    }
    return new Matrix(rows, cols, out);
  }

  /**
   * The matrices on the diagonal of one (r1 + r2 + ..., width1 + width2 + ...); a null one (an
   * absent adapter) keeps its columns, as zeros, and takes no rows.
   */
  static Matrix blockDiagonal(List<Matrix> parts, List<Long> widths) {
    int rows = parts.stream().filter(java.util.Objects::nonNull).mapToInt(Matrix::rows).sum();
    int cols = Math.toIntExact(widths.stream().mapToLong(Long::longValue).sum());
    float[] out = new float[rows * cols];
    int row = 0;
    int col = 0;
    for (int p = 0; p < parts.size(); p++) {
      Matrix m = parts.get(p);
      if (m != null) {
        for (int i = 0; i < m.rows; i++) {
          System.arraycopy(m.data, i * m.cols, out, (row + i) * cols + col, m.cols);
        }
        row += m.rows;
      }
      col += Math.toIntExact(widths.get(p));
    }
    return new Matrix(rows, cols, out);
  }

  NDArray array(NDManager manager) {
    return NativeArrays.copyOf(manager, data, new Shape(rows, cols));
  }
}
