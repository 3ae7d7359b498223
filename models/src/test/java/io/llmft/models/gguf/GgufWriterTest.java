package io.llmft.models.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {
  @TempDir Path tmp;

  @Test
  void headerMetadataAndTensorTableReadBack() throws IOException {
    GgufWriter w =
        new GgufWriter()
            .putString("general.architecture", "llama")
            .putUint32("llama.block_count", 3)
            .putFloat32("llama.rope.freq_base", 500000.0)
            .putBool("tokenizer.ggml.add_bos_token", true)
            .putStrings("tokenizer.ggml.tokens", List.of("a", "Ġb", "<|eot_id|>", "ü"))
            .putInt32s("tokenizer.ggml.token_type", new int[] {1, 1, 3, 1})
            .addTensor("a.weight", new long[] {3}, GgufType.F32)
            .addTensor("b.weight", new long[] {2, 64}, GgufType.Q8_0);
    float[] a = {1, -2, 3};
    float[] b = randoms(128, 1);
    Path file = write(w, List.of("a.weight", "b.weight"), a, b);

    GgufReader r = new GgufReader(file);
    assertEquals(3, r.version);
    assertEquals("llama", r.metadata.get("general.architecture"));
    assertEquals(3L, r.metadata.get("llama.block_count"));
    assertEquals(500000f, r.metadata.get("llama.rope.freq_base"));
    assertEquals(true, r.metadata.get("tokenizer.ggml.add_bos_token"));
    assertEquals(List.of("a", "Ġb", "<|eot_id|>", "ü"), r.metadata.get("tokenizer.ggml.tokens"));
    assertEquals(List.of(1, 1, 3, 1), r.metadata.get("tokenizer.ggml.token_type"));
    assertEquals(List.of("a.weight", "b.weight"), List.copyOf(r.tensors.keySet()));
    GgufReader.Tensor tb = r.tensors.get("b.weight");
    assertArrayEquals(new long[] {64, 2}, tb.dims(), "ggml's dimensions run innermost first");
    assertEquals(8, tb.ggmlType());
    assertEquals(0, r.tensors.get("a.weight").offset());
    assertEquals(32, tb.offset(), "each tensor starts on the 32-byte alignment");
    assertEquals(0, r.dataStart % 32);
    assertArrayEquals(a, r.floats("a.weight"));
    assertEquals(r.dataStart + 32 + 4 * 34 + 24, Files.size(file), "the last tensor is padded");
  }

  @Test
  void q8BlocksRoundTripWithinHalfAStepOfTheirScale() throws IOException {
    float[] values = randoms(32 * 64, 7);
    values[5] = 0; // a zero, and a block of zeros (scale 0)
    java.util.Arrays.fill(values, 64, 96, 0f);
    GgufWriter w = new GgufWriter().addTensor("q.weight", new long[] {64, 32}, GgufType.Q8_0);
    float[] back = new GgufReader(write(w, List.of("q.weight"), values)).floats("q.weight");
    for (int block = 0; block < 64; block++) {
      float amax = 0;
      for (int i = block * 32; i < block * 32 + 32; i++) {
        amax = Math.max(amax, Math.abs(values[i]));
      }
      // half a quantization step, plus the fp16 rounding of the scale (2^-11 relative) times 127
      float bound = amax / 127 * (0.5f + 127f / 2048) + 1e-7f;
      for (int i = block * 32; i < block * 32 + 32; i++) {
        float err = Math.abs(back[i] - values[i]);
        assertTrue(err <= bound, "value " + i + " off by " + err + " > " + bound);
      }
    }
    assertEquals(0f, back[70]);
  }

  @Test
  void halfAndBfloat16RoundToNearestEven() throws IOException {
    assertEquals((short) 0x3c00, HalfFloats.toHalf(1f));
    assertEquals((short) 0x7bff, HalfFloats.toHalf(65504f));
    assertEquals((short) 0x7c00, HalfFloats.toHalf(65520f), "rounds up to infinity");
    assertEquals((short) 0x7bff, HalfFloats.toHalf(65519f));
    assertEquals((short) 0x0001, HalfFloats.toHalf(0x1p-24f), "the smallest subnormal");
    assertEquals((short) 0x0000, HalfFloats.toHalf(0x1p-25f), "a tie goes to the even zero");
    assertEquals((short) 0x2e66, HalfFloats.toHalf(0.1f));
    assertEquals((short) 0xbc00, HalfFloats.toHalf(-1f));
    // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: even is 1; 1 + 3 * 2^-11 goes up to even
    assertEquals((short) 0x3c00, HalfFloats.toHalf(1f + 0x1p-11f));
    assertEquals((short) 0x3c02, HalfFloats.toHalf(1f + 3 * 0x1p-11f));
    assertEquals((short) 0x3f80, HalfFloats.toBfloat16(1f));
    assertEquals((short) 0x3f80, HalfFloats.toBfloat16(Float.intBitsToFloat(0x3f808000)));
    assertEquals((short) 0x3f82, HalfFloats.toBfloat16(Float.intBitsToFloat(0x3f818000)));

    float[] values = randoms(64, 3);
    GgufWriter w =
        new GgufWriter()
            .addTensor("h.weight", new long[] {2, 32}, GgufType.F16)
            .addTensor("b.weight", new long[] {2, 32}, GgufType.BF16);
    GgufReader r = new GgufReader(write(w, List.of("h.weight", "b.weight"), values, values));
    float[] half = r.floats("h.weight");
    float[] bf = r.floats("b.weight");
    for (int i = 0; i < values.length; i++) {
      assertEquals(values[i], half[i], Math.abs(values[i]) * 0x1p-11f + 0x1p-25f);
      assertEquals(values[i], bf[i], Math.abs(values[i]) * 0x1p-8f);
    }
  }

  @Test
  void tensorsAreWrittenInTheirDeclaredOrderAndAll() throws IOException {
    GgufWriter w =
        new GgufWriter()
            .addTensor("first", new long[] {2}, GgufType.F32)
            .addTensor("second", new long[] {2}, GgufType.F32);
    try (OutputStream out = OutputStream.nullOutputStream()) {
      GgufWriter.Data data = w.start(out);
      assertThrows(IllegalStateException.class, () -> data.write("second", new float[2]));
      assertThrows(IllegalArgumentException.class, () -> data.write("first", new float[3]));
    }
    try (OutputStream out = OutputStream.nullOutputStream()) {
      GgufWriter.Data data = w.start(out);
      data.write("first", new float[2]);
      assertThrows(IllegalStateException.class, data::finish);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> w.addTensor("odd", new long[] {2, 33}, GgufType.Q8_0),
        "a Q8_0 row must be whole blocks");
    assertThrows(
        IllegalArgumentException.class, () -> w.addTensor("first", new long[] {1}, GgufType.F32));
  }

  @Test
  void typeNamesParseAndAnUnknownOneIsRefused() {
    assertEquals(GgufType.Q8_0, GgufType.parse("q8_0"));
    assertEquals("bf16", GgufType.BF16.label());
    var e = assertThrows(IllegalArgumentException.class, () -> GgufType.parse("q4_k"));
    assertTrue(e.getMessage().contains("f32, f16, bf16, q8_0"), e.getMessage());
  }

  /** Writes the file with the tensors' values in the order they were declared. */
  private Path write(GgufWriter w, List<String> names, float[]... tensors) throws IOException {
    Path file = tmp.resolve("t" + System.nanoTime() + ".gguf");
    try (OutputStream out = Files.newOutputStream(file)) {
      GgufWriter.Data data = w.start(out);
      for (int i = 0; i < tensors.length; i++) {
        data.write(names.get(i), tensors[i]);
      }
      data.finish();
    }
    return file;
  }

  private static float[] randoms(int n, long seed) {
    Random random = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian() * 0.3f;
    }
    return v;
  }
}
