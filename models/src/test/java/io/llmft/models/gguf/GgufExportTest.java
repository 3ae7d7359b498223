package io.llmft.models.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.models.Fixtures;
import io.llmft.models.Safetensors;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exports of the tiny fixtures as a GGUF reader sees them: names, layouts, types, metadata. */
class GgufExportTest {
  @TempDir Path tmp;

  @Test
  void llamaHasItsHyperparametersPermutedQueriesAndRopeFactors() throws IOException {
    Path dir = Fixtures.model("llama-tiny");
    GgufReader r = export(dir, GgufType.F32);
    Map<String, Object> m = r.metadata;
    assertEquals("llama", m.get("general.architecture"));
    assertEquals(0L, m.get("general.file_type"));
    assertEquals(2L, m.get("llama.block_count"));
    assertEquals(96L, m.get("llama.context_length"));
    assertEquals(64L, m.get("llama.embedding_length"));
    assertEquals(96L, m.get("llama.feed_forward_length"));
    assertEquals(4L, m.get("llama.attention.head_count"));
    assertEquals(2L, m.get("llama.attention.head_count_kv"));
    assertEquals(16L, m.get("llama.attention.key_length"));
    assertEquals(10000f, m.get("llama.rope.freq_base"));
    assertEquals(1e-5f, m.get("llama.attention.layer_norm_rms_epsilon"));
    assertEquals(384L, m.get("llama.vocab_size"));
    assertFalse(r.tensors.containsKey("output.weight"), "a tied head is the token embedding");
    assertArrayEquals(new long[] {64, 384}, r.tensors.get("token_embd.weight").dims());

    // llama.cpp's converter: 1 for short wavelengths, the factor (8) for long ones
    float[] rope = r.floats("rope_freqs.weight");
    assertEquals(8, rope.length);
    assertEquals(1f, rope[0]);
    assertEquals(8f, rope[7]);

    // head h, row i * 2 + j of the export is row j * D/2 + i of the checkpoint (D = 16)
    float[] q = checkpoint(dir, "model.layers.0.self_attn.q_proj.weight");
    float[] exported = r.floats("blk.0.attn_q.weight");
    int c = 64;
    for (int[] rows : new int[][] {{0, 0}, {1, 8}, {2, 1}, {15, 15}, {16 + 3, 16 + 9}}) {
      for (int k = 0; k < c; k++) {
        assertEquals(q[rows[1] * c + k], exported[rows[0] * c + k], "row " + rows[0]);
      }
    }
    assertArrayEquals(
        checkpoint(dir, "model.layers.1.self_attn.v_proj.weight"),
        r.floats("blk.1.attn_v.weight"),
        "values are not rotated: kept as they are");
  }

  @Test
  void qwen3KeepsItsQueriesAndWritesTheirNormsAndUnalignedRowsAsF16() throws IOException {
    Path dir = Fixtures.model("qwen3-tiny");
    GgufReader r = export(dir, GgufType.Q8_0);
    assertEquals("qwen3", r.metadata.get("general.architecture"));
    assertEquals(7L, r.metadata.get("general.file_type"));
    assertEquals(24L, r.metadata.get("qwen3.attention.key_length"), "head_dim apart from 48 / 4");
    assertTrue(r.tensors.containsKey("output.weight"));
    assertEquals(0, r.tensors.get("blk.0.attn_q_norm.weight").ggmlType(), "norms stay F32");
    assertEquals(0, r.tensors.get("blk.0.attn_k_norm.weight").ggmlType());
    assertEquals(1, r.tensors.get("blk.0.attn_q.weight").ggmlType(), "rows of 48: not Q8_0 blocks");
    assertEquals(8, r.tensors.get("blk.0.attn_output.weight").ggmlType(), "rows of 96: Q8_0");
    float[] q = checkpoint(dir, "model.layers.0.self_attn.q_proj.weight");
    float[] exported = r.floats("blk.0.attn_q.weight");
    for (int i = 0; i < q.length; i++) {
      assertEquals(q[i], exported[i], Math.abs(q[i]) * 0x1p-10f, "not permuted, " + i);
    }
    assertFalse(r.metadata.containsKey("tokenizer.chat_template"), "the fixture has none");
    assertEquals("qwen2", r.metadata.get("tokenizer.ggml.pre"));
    assertEquals(319L, r.metadata.get("tokenizer.ggml.eos_token_id"));
  }

  @Test
  void gpt2FusesNothingNewAndTransposesItsConv1dWeights() throws IOException {
    Path dir = Fixtures.model("gpt2-tiny");
    GgufReader r = export(dir, GgufType.F16);
    assertEquals("gpt2", r.metadata.get("general.architecture"));
    assertEquals(64L, r.metadata.get("gpt2.feed_forward_length"));
    assertEquals("gpt-2", r.metadata.get("tokenizer.ggml.pre"));
    assertEquals(false, r.metadata.get("tokenizer.ggml.add_bos_token"));
    List<?> tokens = (List<?>) r.metadata.get("tokenizer.ggml.tokens");
    List<?> types = (List<?>) r.metadata.get("tokenizer.ggml.token_type");
    assertEquals(50257, tokens.size());
    assertEquals("<|endoftext|>", tokens.get(50256));
    assertEquals(3, types.get(50256), "a control token");
    assertEquals("Ġthe", tokens.get(262));
    assertEquals(50000, ((List<?>) r.metadata.get("tokenizer.ggml.merges")).size());
    assertEquals(0, r.tensors.get("position_embd.weight").ggmlType(), "kept F32");
    assertEquals(0, r.tensors.get("blk.0.attn_qkv.bias").ggmlType(), "biases kept F32");
    assertArrayEquals(new long[] {16, 48}, r.tensors.get("blk.0.attn_qkv.weight").dims());
    float[] cAttn = checkpoint(dir, "h.0.attn.c_attn.weight"); // (in 16, out 48)
    float[] qkv = r.floats("blk.0.attn_qkv.weight"); // (out 48, in 16)
    for (int o = 0; o < 48; o++) {
      for (int i = 0; i < 16; i++) {
        float v = cAttn[i * 48 + o];
        assertEquals(v, qkv[o * 16 + i], Math.abs(v) * 0x1p-10f);
      }
    }
  }

  @Test
  void aDirectoryTheSuiteCannotRunIsRefusedBeforeAnythingIsWritten() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"mamba\"}");
    var out = new java.io.ByteArrayOutputStream();
    IOException e =
        assertThrows(IOException.class, () -> GgufExport.write(dir, GgufType.F32, "x", out));
    assertTrue(e.getMessage().contains("mamba"), e.getMessage());
    assertEquals(0, out.size());
  }

  private GgufReader export(Path dir, GgufType type) throws IOException {
    Path file = tmp.resolve(dir.getFileName() + "-" + type.label() + ".gguf");
    try (OutputStream out = Files.newOutputStream(file)) {
      GgufExport.write(dir, type, "tiny", out);
    }
    return new GgufReader(file);
  }

  private static float[] checkpoint(Path dir, String key) throws IOException {
    Map<String, float[]> found = new HashMap<>();
    Safetensors.forEach(
        dir.resolve("model.safetensors"),
        (k, t) -> {
          if (k.equals(key) || k.equals("transformer." + key)) {
            found.put(key, t.data());
          }
        });
    return found.get(key);
  }
}
