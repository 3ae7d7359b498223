package io.llmft.models.gguf;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * The weight types an export is written in, each with its ggml tensor type id, its {@code
 * general.file_type} (llama.cpp's {@code LLAMA_FTYPE_*}) and its encoding of float32 values. Q8_0
 * stores blocks of 32 values as an fp16 scale {@code d = max|x| / 127} and 32 int8 {@code q =
 * round(x / d)} (34 bytes a block), as llama.cpp's {@code quantize_row_q8_0}.
 */
public enum GgufType {
  F32(0, 0, 1, 4),
  F16(1, 1, 1, 2),
  BF16(30, 32, 1, 2),
  Q8_0(8, 7, 32, 34);

  /** ggml's id of the tensor type. */
  final int ggmlType;

  /** {@code general.file_type} of a file whose matrices are of this type. */
  final int fileType;

  /** Values per block: a row's length must be a multiple of it. */
  final int blockSize;

  final int blockBytes;

  GgufType(int ggmlType, int fileType, int blockSize, int blockBytes) {
    this.ggmlType = ggmlType;
    this.fileType = fileType;
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
  }

  /** By its lower-case name ({@code f32}, {@code f16}, {@code bf16}, {@code q8_0}). */
  public static GgufType parse(String name) {
    for (GgufType t : values()) {
      if (t.label().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown GGUF type '"
            + name
            + "' (known: "
            + String.join(", ", Arrays.stream(values()).map(GgufType::label).toList())
            + ")");
  }

  /** The lower-case name, as in a file name: {@code q8_0}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Bytes of {@code count} values. */
  long bytes(long count) {
    return count / blockSize * blockBytes;
  }

  /** Writes {@code values} (a whole number of blocks) encoded into {@code out}. */
  void encode(float[] values, ByteBuffer out) {
    switch (this) {
      case F32 -> {
        for (float v : values) {
          out.putFloat(v);
        }
      }
      case F16 -> {
        for (float v : values) {
          out.putShort(HalfFloats.toHalf(v));
        }
      }
      case BF16 -> {
        for (float v : values) {
          out.putShort(HalfFloats.toBfloat16(v));
        }
      }
      case Q8_0 -> {
        for (int b = 0; b < values.length; b += 32) {
          encodeQ8Block(values, b, out);
        }
      }
    }
  }

  private static void encodeQ8Block(float[] x, int from, ByteBuffer out) {
    float amax = 0;
    for (int i = from; i < from + 32; i++) {
      amax = Math.max(amax, Math.abs(x[i]));
    }
    float d = amax / 127;
    float id = d == 0 ? 0 : 1 / d;
    out.putShort(HalfFloats.toHalf(d));
    for (int i = from; i < from + 32; i++) {
      float q = x[i] * id; // |q| <= 127; rounded half away from zero, as C's roundf
      out.put((byte) (q < 0 ? -Math.round(-q) : Math.round(q)));
    }
  }
}
