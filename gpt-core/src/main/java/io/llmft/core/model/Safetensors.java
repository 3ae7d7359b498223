package io.llmft.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
    /** A float copy of an array's values. */
    public static Tensor of(ai.djl.ndarray.NDArray array) {
      return new Tensor(array.getShape().getShape(), array.toFloatArray());
    }

    /** Each array as a tensor, in the map's order. */
    public static Map<String, Tensor> of(Map<String, ai.djl.ndarray.NDArray> arrays) {
      Map<String, Tensor> tensors = new java.util.LinkedHashMap<>();
      arrays.forEach((name, array) -> tensors.put(name, of(array)));
      return tensors;
    }

    public long elementCount() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  public static Map<String, Tensor> read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer lengthBuffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBuffer, 0);
      long headerLength = lengthBuffer.flip().getLong();
      if (headerLength <= 0 || headerLength > 100_000_000 || headerLength + 8 > channel.size()) {
        throw new IOException(
            file + " is not a safetensors file (header length " + headerLength + ")");
      }
      ByteBuffer headerBuffer = ByteBuffer.allocate((int) headerLength);
      readFully(channel, headerBuffer, 8);
      JsonNode header = JSON.readTree(new String(headerBuffer.array(), StandardCharsets.UTF_8));
      long dataStart = 8 + headerLength;
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getKey().equals("__metadata__")) {
          continue;
        }
        tensors.put(
            field.getKey(), readTensor(channel, dataStart, field.getKey(), field.getValue()));
      }
      return tensors;
    }
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

  /** Writes F32 tensors in the given order to {@code file} (callers write to a temporary name). */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode info = header.putObject(e.getKey());
      info.put("dtype", "F32");
      var shape = info.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      long size = e.getValue().elementCount() * 4;
      info.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
    }
    byte[] headerBytes = JSON.writeValueAsBytes(header);
    int padded = (headerBytes.length + 7) / 8 * 8;
    byte[] headerPadded = new byte[padded];
    System.arraycopy(headerBytes, 0, headerPadded, 0, headerBytes.length);
    for (int i = headerBytes.length; i < padded; i++) {
      headerPadded[i] = ' ';
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(length.array());
      out.write(headerPadded);
      ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
      FloatBuffer floats = chunk.asFloatBuffer();
      for (Tensor tensor : tensors.values()) {
        float[] data = tensor.data();
        int pos = 0;
        while (pos < data.length) {
          int n = Math.min(floats.capacity(), data.length - pos);
          floats.clear();
          floats.put(data, pos, n);
          out.write(chunk.array(), 0, n * 4);
          pos += n;
        }
      }
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
