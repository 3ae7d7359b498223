package io.llmft.models.gguf;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What a family's export writes in llama.cpp's terms: its architecture name and hyperparameters,
 * and each checkpoint tensor under llama.cpp's name in llama.cpp's layout.
 */
interface ArchitectureTensors {
  /** {@code general.architecture}: {@code gpt2}, {@code llama}, {@code qwen3}. */
  String architecture();

  /** The {@code <architecture>.*} keys. */
  void putHyperparameters(GgufWriter writer);

  /**
   * The GGUF tensor a checkpoint parameter becomes, or null when llama.cpp has none for it (the
   * head of a model whose head is its token embedding).
   */
  Mapped map(String parameter, long[] shape);

  /** Tensors llama.cpp needs that the checkpoint has no counterpart of (Llama 3's rope_freqs). */
  List<Computed> computed();

  /**
   * A checkpoint tensor under its GGUF name: {@code shape} row-major as written, {@code layout}
   * turns the checkpoint's values into it.
   */
  record Mapped(String name, long[] shape, UnaryOperator<float[]> layout) {}

  record Computed(String name, float[] values) {}

  /**
   * A (rows, cols) matrix transposed: GPT-2's Conv1D weights are (in, out), llama.cpp's (out, in).
   */
  static float[] transposed(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }
}
