package io.llmft.models.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.models.Golden;
import io.llmft.models.LanguageModel;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.text.Gpt2Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointTest {
  @TempDir Path tmp;

  @Test
  void checkpointWithoutHeadGetsAnUntiedCopyOfWte() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      assertEquals(new GptConfig(50257, 96, 16, 2, 2), model.config());
      assertArrayEquals(
          model.parameters().get("wte.weight").toFloatArray(),
          model.parameters().get("lm_head.weight").toFloatArray());
      model.parameters().get("lm_head.weight").muli(2);
      assertFalse(
          model
              .parameters()
              .get("wte.weight")
              .contentEquals(model.parameters().get("lm_head.weight")));
      assertEquals(new GptConfig(50257, 96, 16, 2, 2).parameterCount(), model.parameterCount());
    }
  }

  @Test
  void savedCheckpointHasGpt2LmHeadModelLayoutAndRoundTrips() throws IOException {
    Path dir = tmp.resolve("model");
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      model.parameters().get("lm_head.weight").muli(3);
      HfCheckpoint.save(model, Gpt2Tokenizer.get(), dir);
      for (String tokenizerFile :
          new String[] {
            "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"
          }) {
        org.junit.jupiter.api.Assertions.assertTrue(
            java.nio.file.Files.size(dir.resolve(tokenizerFile)) > 0, tokenizerFile);
      }
      try (LanguageModel loaded = HfCheckpoint.load(dir, m)) {
        for (var e : model.parameters().entrySet()) {
          assertTrue(e.getValue().contentEquals(loaded.parameters().get(e.getKey())), e.getKey());
        }
      }
    }
    // Read the header independently of the writer: 8-byte little-endian length + JSON.
    byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLength % 8);
    JsonNode header =
        new ObjectMapper()
            .readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
    Set<String> keys = new HashSet<>();
    header.fieldNames().forEachRemaining(keys::add);
    assertTrue(keys.contains("lm_head.weight"));
    assertTrue(keys.contains("transformer.wte.weight"));
    assertEquals(
        "[16,48]",
        header.get("transformer.h.0.attn.c_attn.weight").get("shape").toString(),
        "Conv1D is (in, out)");
    assertEquals(
        "[64,16]", header.get("transformer.h.1.mlp.c_proj.weight").get("shape").toString());
    assertEquals("F32", header.get("lm_head.weight").get("dtype").asText());
    long end = 0;
    for (String key : keys) {
      if (!key.equals("__metadata__")) {
        end = Math.max(end, header.get(key).get("data_offsets").get(1).asLong());
      }
    }
    assertEquals(bytes.length, 8 + headerLength + end);
    JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
    assertFalse(config.get("tie_word_embeddings").asBoolean());
    assertEquals(16, config.get("n_embd").asInt());
    assertEquals("gelu_new", config.get("activation_function").asText());
    try (var files = Files.list(tmp)) {
      assertEquals(2, files.count(), "the model's link and its one version, nothing else");
    }
    assertTrue(Files.isSymbolicLink(dir), "a link to its current version");
  }

  @Test
  void missingWeightsGiveAClearError() throws IOException {
    Files.createDirectories(tmp.resolve("empty"));
    Files.copy(Golden.modelDir().resolve("config.json"), tmp.resolve("empty/config.json"));
    try (NDManager m = NDManager.newBaseManager()) {
      IOException e =
          assertThrows(IOException.class, () -> HfCheckpoint.load(tmp.resolve("empty"), m));
      assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }
  }

  @Test
  void presetsResolveBookAndShortNames() {
    assertEquals(1024, GptConfig.preset("gpt2-medium (355M)").embDim());
    assertEquals(GptConfig.preset("gpt2-medium (355M)"), GptConfig.preset("gpt2-medium"));
    assertEquals(768, GptConfig.preset("gpt2").embDim());
    assertEquals(48, GptConfig.preset("gpt2-xl").nLayers());
    assertEquals(
        124_439_808L + 50257L * 768, GptConfig.preset("gpt2-small (124M)").parameterCount());
  }

  /**
   * The check a request makes before it is accepted reads files and headers, not the tokenizer
   * (building a Llama 3 tokenizer takes seconds and tens of MiB): a tokenizer.json that is there
   * passes it, whatever it holds; a missing one does not.
   */
  @Test
  void theCheckBeforeARequestDoesNotBuildTheTokenizer() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("llama"));
    Path fixture = Path.of("src/test/resources/llama-tiny");
    for (String f : new String[] {"config.json", "model.safetensors"}) {
      Files.copy(fixture.resolve(f), dir.resolve(f));
    }
    Files.writeString(dir.resolve("tokenizer.json"), "not even JSON");
    assertEquals(null, HfCheckpoint.unreadable(dir));
    Files.delete(dir.resolve("tokenizer.json"));
    assertTrue(HfCheckpoint.unreadable(dir).contains("tokenizer.json"));
  }

  /**
   * Two writers of one model (a fenced run and its partition's new owner): the one that switched
   * first never deletes the later one's version that the link now shows; a writer that lost the job
   * before switching leaves the link alone and its version gone.
   */
  @Test
  void concurrentSavesOfOneModelNeverLeaveTheLinkDangling() throws IOException {
    Path dir = tmp.resolve("shared");
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model first = Golden.loadModel(m);
        Gpt2Model second = Golden.loadModel(m)) {
      second.parameters().get("lm_head.weight").muli(2);
      HfCheckpoint.save(
          first,
          Gpt2Tokenizer.get(),
          dir,
          () -> {},
          step -> {
            if (step == HfCheckpoint.SaveStep.SWITCHED) {
              try {
                HfCheckpoint.save(second, Gpt2Tokenizer.get(), dir); // switches after the first
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          });
      try (LanguageModel shown = HfCheckpoint.load(dir, m)) {
        assertTrue(
            second
                .parameters()
                .get("lm_head.weight")
                .contentEquals(shown.parameters().get("lm_head.weight")),
            "the later save is shown and its files are there");
      }
      RuntimeException fenced = new IllegalStateException("fenced");
      assertThrows(
          IllegalStateException.class,
          () ->
              HfCheckpoint.save(
                  first,
                  Gpt2Tokenizer.get(),
                  dir,
                  () -> {
                    throw fenced;
                  }));
      try (LanguageModel shown = HfCheckpoint.load(dir, m)) {
        assertTrue(
            second
                .parameters()
                .get("lm_head.weight")
                .contentEquals(shown.parameters().get("lm_head.weight")),
            "a writer that lost the job does not switch");
      }
      try (var versions = Files.list(tmp)) {
        assertEquals(
            1,
            versions.filter(p -> p.getFileName().toString().startsWith(".shared.v-")).count(),
            "the fenced writer's version is deleted, the first writer's older one too");
      }
    }
  }

  @Test
  void versionsOfEarlierReleasesAreOlderThanTimedOnes() {
    assertTrue(HfCheckpoint.isOlder("8f3e-uuid", "001765000000000-uuid"));
    assertTrue(HfCheckpoint.isOlder("001765000000000-a", "001765000000001-b"));
    assertFalse(HfCheckpoint.isOlder("001765000000001-b", "001765000000000-a"));
    assertFalse(HfCheckpoint.isOlder("001765000000000-a", "moved-uuid"));
  }
}
