package io.llmft.models.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a GGUF file back for the tests, independently of the writer: the header, every metadata
 * value (scalars as Java numbers, booleans and strings, arrays as lists), the tensor table and each
 * tensor's bytes.
 */
final class GgufReader {
  final int version;
  final Map<String, Object> metadata = new LinkedHashMap<>();
  final Map<String, Tensor> tensors = new LinkedHashMap<>();
  final long dataStart;
  private final ByteBuffer file;

  /** A tensor as the file lists it: {@code dims} innermost first, as ggml's {@code ne}. */
  record Tensor(String name, long[] dims, int ggmlType, long offset) {}

  GgufReader(Path path) throws IOException {
    file = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
    if (file.getInt() != 0x46554747) {
      throw new IOException(path + " does not begin with GGUF");
    }
    version = file.getInt();
    long tensorCount = file.getLong();
    long kvCount = file.getLong();
    for (long i = 0; i < kvCount; i++) {
      String key = string();
      metadata.put(key, value(file.getInt()));
    }
    for (long i = 0; i < tensorCount; i++) {
      String name = string();
      long[] dims = new long[file.getInt()];
      for (int d = 0; d < dims.length; d++) {
        dims[d] = file.getLong();
      }
      tensors.put(name, new Tensor(name, dims, file.getInt(), file.getLong()));
    }
    dataStart = (file.position() + 31) / 32 * 32;
  }

  private Object value(int type) throws IOException {
    return switch (type) {
      case 0 -> file.get() & 0xff;
      case 1 -> file.get();
      case 2 -> file.getShort() & 0xffff;
      case 3 -> file.getShort();
      case 4 -> file.getInt() & 0xffffffffL;
      case 5 -> file.getInt();
      case 6 -> file.getFloat();
      case 7 -> file.get() != 0;
      case 8 -> string();
      case 9 -> {
        int elementType = file.getInt();
        long n = file.getLong();
        List<Object> list = new ArrayList<>();
        for (long i = 0; i < n; i++) {
          list.add(value(elementType));
        }
        yield list;
      }
      case 10 -> file.getLong();
      case 11 -> file.getLong();
      case 12 -> file.getDouble();
      default -> throw new IOException("unknown GGUF value type " + type);
    };
  }

  private String string() {
    byte[] bytes = new byte[(int) file.getLong()];
    file.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The bytes of a tensor's data. */
  ByteBuffer data(String name, long bytes) {
    Tensor t = tensors.get(name);
    return file.slice((int) (dataStart + t.offset()), (int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A tensor's values as floats, from F32, F16, BF16 or Q8_0. */
  float[] floats(String name) {
    Tensor t = tensors.get(name);
    long n = 1;
    for (long d : t.dims()) {
      n *= d;
    }
    float[] v = new float[(int) n];
    switch (t.ggmlType()) {
      case 0 -> data(name, n * 4).asFloatBuffer().get(v);
      case 1 -> {
        ByteBuffer b = data(name, n * 2);
        for (int i = 0; i < n; i++) {
          v[i] = fromHalf(b.getShort());
        }
      }
      case 30 -> {
        ByteBuffer b = data(name, n * 2);
        for (int i = 0; i < n; i++) {
          v[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
        }
      }
      case 8 -> {
        ByteBuffer b = data(name, n / 32 * 34);
        for (int block = 0; block < n / 32; block++) {
          float d = fromHalf(b.getShort());
          for (int i = 0; i < 32; i++) {
            v[block * 32 + i] = d * b.get();
          }
        }
      }
      default -> throw new IllegalArgumentException("type " + t.ggmlType() + " of " + name);
    }
    return v;
  }

  /** The float32 value of fp16 bits. */
  static float fromHalf(short half) {
    int bits = half & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float v = mantissa * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
