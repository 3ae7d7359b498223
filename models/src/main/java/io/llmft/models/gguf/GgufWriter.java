package io.llmft.models.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF v3 file as a stream, little-endian: the header ({@code GGUF}, version 3, tensor
 * count, metadata count), the metadata key-value pairs, the tensor infos (name, dimensions
 * innermost first, ggml type, data offset), padding to {@link #ALIGNMENT}, then each tensor's data,
 * each padded to the alignment. Metadata and tensors are declared first; {@link #start} writes
 * everything before the data, then {@link Data#write} takes the tensors one at a time, in the order
 * they were declared, so no more than one tensor is held.
 */
public final class GgufWriter {
  /** GGUF's default alignment of the data section and of every tensor in it. */
  public static final int ALIGNMENT = 32;

  static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
  static final int VERSION = 3;

  /** The metadata value types of GGUF ({@code gguf_type}). */
  static final int UINT32 = 4;

  static final int INT32 = 5;
  static final int FLOAT32 = 6;
  static final int BOOL = 7;
  static final int STRING = 8;
  static final int ARRAY = 9;

  private final Map<String, Value> metadata = new LinkedHashMap<>();
  private final List<TensorInfo> tensors = new ArrayList<>();

  /** A tensor as declared: its shape row-major (outermost first), as the checkpoint gives it. */
  record TensorInfo(String name, long[] shape, GgufType type) {
    long count() {
      return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    long bytes() {
      return type.bytes(count());
    }
  }

  private interface Value {
    void write(Out out) throws IOException;
  }

  public GgufWriter putString(String key, String value) {
    return put(key, out -> out.u32(STRING).string(value));
  }

  public GgufWriter putUint32(String key, long value) {
    return put(key, out -> out.u32(UINT32).u32(value));
  }

  public GgufWriter putFloat32(String key, double value) {
    return put(key, out -> out.u32(FLOAT32).f32((float) value));
  }

  public GgufWriter putBool(String key, boolean value) {
    return put(key, out -> out.u32(BOOL).u8(value ? 1 : 0));
  }

  public GgufWriter putStrings(String key, List<String> values) {
    return put(
        key,
        out -> {
          out.u32(ARRAY).u32(STRING).u64(values.size());
          for (String v : values) {
            out.string(v);
          }
        });
  }

  public GgufWriter putInt32s(String key, int[] values) {
    int[] copy = values.clone();
    return put(
        key,
        out -> {
          out.u32(ARRAY).u32(INT32).u64(copy.length);
          for (int v : copy) {
            out.i32(v);
          }
        });
  }

  private GgufWriter put(String key, Value value) {
    if (metadata.putIfAbsent(key, value) != null) {
      throw new IllegalArgumentException("metadata key " + key + " is set twice");
    }
    return this;
  }

  /** Declares the next tensor; its values come later, through {@link Data#write}. */
  public GgufWriter addTensor(String name, long[] shape, GgufType type) {
    TensorInfo info = new TensorInfo(name, shape.clone(), type);
    if (shape.length == 0 || shape.length > 4 || shape[shape.length - 1] % type.blockSize != 0) {
      throw new IllegalArgumentException(
          "tensor " + name + " of shape " + Arrays.toString(shape) + " cannot be " + type);
    }
    if (tensors.stream().anyMatch(t -> t.name().equals(name))) {
      throw new IllegalArgumentException("tensor " + name + " is declared twice");
    }
    tensors.add(info);
    return this;
  }

  /** Writes the header, metadata and tensor infos; the tensors' data follows through the result. */
  public Data start(OutputStream stream) throws IOException {
    Out out = new Out(stream);
    out.u32(MAGIC).u32(VERSION).u64(tensors.size()).u64(metadata.size());
    for (Map.Entry<String, Value> e : metadata.entrySet()) {
      out.string(e.getKey());
      e.getValue().write(out);
    }
    long offset = 0;
    for (TensorInfo t : tensors) {
      out.string(t.name()).u32(t.shape().length);
      for (int d = t.shape().length - 1; d >= 0; d--) {
        out.u64(t.shape()[d]); // ggml's ne[0] is the innermost dimension
      }
      out.u32(t.type().ggmlType).u64(offset);
      offset = aligned(offset + t.bytes());
    }
    out.pad();
    return new Data(out, tensors);
  }

  /** The tensors' data, written in declaration order. */
  public static final class Data {
    /** Values encoded at a time: a multiple of every type's block. */
    private static final int CHUNK = 1 << 16;

    private final Out out;
    private final List<TensorInfo> tensors;
    private int next;

    private Data(Out out, List<TensorInfo> tensors) {
      this.out = out;
      this.tensors = tensors;
    }

    /** The values of the next declared tensor, row-major, encoded as its type. */
    public void write(String name, float[] values) throws IOException {
      if (next == tensors.size() || !tensors.get(next).name().equals(name)) {
        throw new IllegalStateException(
            "tensor "
                + name
                + " written where "
                + (next == tensors.size() ? "none" : tensors.get(next).name())
                + " is due");
      }
      TensorInfo t = tensors.get(next++);
      if (values.length != t.count()) {
        throw new IllegalArgumentException(
            name + ": " + values.length + " values for shape " + Arrays.toString(t.shape()));
      }
      // encoded a chunk at a time: a large tensor is not held twice
      ByteBuffer buffer =
          ByteBuffer.allocate((int) t.type().bytes(CHUNK)).order(ByteOrder.LITTLE_ENDIAN);
      for (int from = 0; from < values.length; from += CHUNK) {
        buffer.clear();
        t.type()
            .encode(
                Arrays.copyOfRange(values, from, Math.min(values.length, from + CHUNK)), buffer);
        out.bytes(buffer.array(), buffer.position());
      }
      out.pad();
    }

    /** Checks every tensor was written and flushes the stream (which the caller closes). */
    public void finish() throws IOException {
      if (next != tensors.size()) {
        throw new IllegalStateException(
            "tensor " + tensors.get(next).name() + " was declared but not written");
      }
      out.flush();
    }
  }

  static long aligned(long offset) {
    return (offset + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  /** Little-endian primitives on a stream that counts what it wrote (for the padding). */
  private static final class Out {
    private final OutputStream stream;
    private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    private long position;

    Out(OutputStream stream) {
      this.stream = stream;
    }

    Out u8(int v) throws IOException {
      stream.write(v);
      position++;
      return this;
    }

    Out u32(long v) throws IOException {
      return scalar(scratch.clear().putInt((int) v));
    }

    Out i32(int v) throws IOException {
      return scalar(scratch.clear().putInt(v));
    }

    Out u64(long v) throws IOException {
      return scalar(scratch.clear().putLong(v));
    }

    Out f32(float v) throws IOException {
      return scalar(scratch.clear().putFloat(v));
    }

    private Out scalar(ByteBuffer filled) throws IOException {
      return bytes(Arrays.copyOf(filled.array(), filled.position()));
    }

    Out string(String s) throws IOException {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      return u64(utf8.length).bytes(utf8);
    }

    Out bytes(byte[] b) throws IOException {
      return bytes(b, b.length);
    }

    Out bytes(byte[] b, int length) throws IOException {
      stream.write(b, 0, length);
      position += length;
      return this;
    }

    void pad() throws IOException {
      bytes(new byte[(int) (aligned(position) - position)]);
    }

    void flush() throws IOException {
      stream.flush();
    }
  }
}
