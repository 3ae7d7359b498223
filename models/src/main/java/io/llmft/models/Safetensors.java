package io.llmft.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * mapping each name to {@code dtype}, {@code shape} and {@code data_offsets}, then the raw
 * little-endian data. F32, F16 and BF16 are read (as float); F32 is written.
 */
public final class Safetensors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Safetensors() {}

  /** A tensor as plain floats, row-major. */
  public record Tensor(long[] shape, float[] data) {
    public long elementCount() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  /** Receives the tensors of a file one at a time. */
  @FunctionalInterface
  public interface TensorVisitor {
    void visit(String name, Tensor tensor) throws IOException;
  }

  /**
   * Reads the tensors one after the other in header order, so that no more than one of them is on
   * the Java heap at a time (a gpt2-xl checkpoint is 6 GB of floats).
   */
  public static void forEach(Path file, TensorVisitor visitor) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      JsonNode header = header(channel, file);
      long dataStart = 8 + channel.position();
      Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getKey().equals("__metadata__")) {
          continue;
        }
        visitor.visit(
            field.getKey(), readTensor(channel, dataStart, field.getKey(), field.getValue()));
      }
    }
  }

  /** Each tensor's shape by name, from the header alone (no data is read). */
  public static Map<String, long[]> shapes(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
      header(channel, file)
          .fields()
          .forEachRemaining(
              f -> {
                if (!f.getKey().equals("__metadata__")) {
                  JsonNode dims = f.getValue().path("shape");
                  long[] shape = new long[dims.size()];
                  for (int i = 0; i < shape.length; i++) {
                    shape[i] = dims.get(i).asLong();
                  }
                  shapes.put(f.getKey(), shape);
                }
              });
      return shapes;
    }
  }

  /** The header; leaves the channel's position at the header's length (the data starts 8 later). */
  private static JsonNode header(FileChannel channel, Path file) throws IOException {
    ByteBuffer lengthBuffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, lengthBuffer, 0);
    long headerLength = lengthBuffer.flip().getLong();
    if (headerLength <= 0 || headerLength > 100_000_000 || headerLength + 8 > channel.size()) {
      throw new IOException(
          file + " is not a safetensors file (header length " + headerLength + ")");
    }
    ByteBuffer headerBuffer = ByteBuffer.allocate((int) headerLength);
    readFully(channel, headerBuffer, 8);
    channel.position(headerLength);
    return JSON.readTree(new String(headerBuffer.array(), StandardCharsets.UTF_8));
  }

  private static Tensor readTensor(FileChannel channel, long dataStart, String name, JsonNode info)
      throws IOException {
    String dtype = info.path("dtype").asText();
    long[] shape = new long[info.path("shape").size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = info.path("shape").get(i).asLong();
      count *= shape[i];
    }
    long begin = info.path("data_offsets").get(0).asLong();
    long end = info.path("data_offsets").get(1).asLong();
    int width =
        switch (dtype) {
          case "F32" -> 4;
          case "F16", "BF16" -> 2;
          default -> throw new IOException("tensor " + name + " has unsupported dtype " + dtype);
        };
    if (end - begin != count * width || dataStart + end > channel.size()) {
      throw new IOException("tensor " + name + " has inconsistent offsets for shape and dtype");
    }
    ByteBuffer bytes =
        channel
            .map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin)
            .order(ByteOrder.LITTLE_ENDIAN);
    float[] data = new float[(int) count];
    switch (dtype) {
      case "F32" -> bytes.asFloatBuffer().get(data);
      case "F16" -> {
        for (int i = 0; i < count; i++) {
          data[i] = halfToFloat(bytes.getShort(i * 2));
        }
      }
      default -> {
        for (int i = 0; i < count; i++) {
          data[i] = Float.intBitsToFloat((bytes.getShort(i * 2) & 0xffff) << 16);
        }
      }
    }
    return new Tensor(shape, data);
  }

  /**
   * Writes float32 arrays in the given order to {@code file} (callers write to a temporary name),
   * copying one array at a time out of the engine.
   */
  public static void write(Path file, Map<String, NDArray> arrays) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
      if (e.getValue().getDataType() != DataType.FLOAT32) {
        throw new IllegalArgumentException(
            e.getKey() + " is " + e.getValue().getDataType() + ", only float32 is written");
      }
      ObjectNode info = header.putObject(e.getKey());
      info.put("dtype", "F32");
      var shape = info.putArray("shape");
      for (long d : e.getValue().getShape().getShape()) {
        shape.add(d);
      }
      long size = e.getValue().size() * 4;
      info.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
    }
    byte[] headerBytes = JSON.writeValueAsBytes(header);
    int padded = (headerBytes.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(headerBytes);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    try (FileChannel out =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      writeFully(out, head.flip());
      for (NDArray array : arrays.values()) {
        writeFully(out, array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
      }
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }

  private static float halfToFloat(short half) {
    int bits = half & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float value = mantissa * 0x1p-24f;
      return sign == 0 ? value : -value;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }
}
