package io.llmft.models.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.models.Fixtures;
import io.llmft.models.LanguageModel;
import io.llmft.models.LoraAdapters;
import io.llmft.models.ModelWeights;
import io.llmft.models.Precision;
import io.llmft.models.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PEFT adapters both ways, against {@code peft} itself (tools/golden/peft_adapters.py): adapters
 * {@code peft} made load through the suite with peft's logits; the suite's adapters written as PEFT
 * are the files peft loaded to the suite's logits; merged models keep the adapter model's logits.
 */
class PeftAdaptersTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final float TOLERANCE = 2e-4f;

  @TempDir Path tmp;

  private static Path fixture(String name) {
    return Fixtures.model("gpt2-tiny").getParent().resolve("peft").resolve(name);
  }

  private static Path base(String family) {
    return Fixtures.model(family + "-tiny");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama", "qwen3"})
  void anAdapterPeftSavedLoadsWithPeftsLogits(String family) throws IOException {
    Path adapter = fixture(family + "-from-peft");
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel model = HfCheckpoint.load(base(family), adapter, m);
        LanguageModel plain = HfCheckpoint.load(base(family), m)) {
      JsonNode golden = JSON.readTree(adapter.resolve("golden.json").toFile());
      assertLogits(golden, model);
      assertTrue(maxDifference(golden, plain) > 1e-2, "the adapter changes the logits");
      assertEquals(family + "-tiny", PeftAdapters.baseModel(adapter));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama", "qwen3"})
  void theSuitesAdaptersWrittenAsPeftAreTheFilesPeftLoadsToTheSuitesLogits(String family)
      throws IOException {
    Path suite = fixture(family + "-suite");
    Path written = tmp.resolve("adapter");
    try (NDManager m = NDManager.newBaseManager()) {
      ModelWeights weights = HfCheckpoint.loadWeights(base(family), m);
      LoraAdapters lora = PeftAdapters.read(suite, weights.config(), weights.manager());
      PeftAdapters.write(written, lora, family + "-tiny");
      try (LanguageModel model = weights.build(Precision.FP32, lora)) {
        assertLogits(JSON.readTree(suite.resolve("golden.json").toFile()), model);
      }
    }
    Path peftLoaded = suite.resolve("adapter");
    assertSameTensors(
        peftLoaded.resolve(PeftAdapters.WEIGHTS_FILE), written.resolve(PeftAdapters.WEIGHTS_FILE));
    JsonNode expected = JSON.readTree(peftLoaded.resolve(PeftAdapters.CONFIG_FILE).toFile());
    JsonNode actual = JSON.readTree(written.resolve(PeftAdapters.CONFIG_FILE).toFile());
    for (String field :
        new String[] {
          "peft_type", "task_type", "r", "bias", "fan_in_fan_out", "base_model_name_or_path"
        }) {
      assertEquals(expected.get(field), actual.get(field), field);
    }
    assertEquals(expected.get("lora_alpha").asDouble(), actual.get("lora_alpha").asDouble());
    assertEquals(names(expected.get("target_modules")), names(actual.get("target_modules")));
    assertEquals(expected.get("rank_pattern"), actual.get("rank_pattern"));
    assertEquals(doubles(expected.get("alpha_pattern")), doubles(actual.get("alpha_pattern")));
  }

  @Test
  void gpt2sQueryKeyAndValueAdaptersComeBackApartFromTheirBlockDiagonalCAttn() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      ModelWeights weights = HfCheckpoint.loadWeights(base("gpt2"), m);
      LoraAdapters suite = PeftAdapters.read(fixture("gpt2-suite"), weights.config(), m);
      LoraAdapters back =
          PeftAdapters.read(fixture("gpt2-suite").resolve("adapter"), weights.config(), m);
      assertEquals(suite.parameters().keySet(), back.parameters().keySet());
      for (Map.Entry<String, NDArray> e : suite.parameters().entrySet()) {
        NDArray other = back.parameters().get(e.getKey());
        assertEquals(e.getValue().getShape(), other.getShape(), e.getKey());
        assertTrue(e.getValue().allClose(other, 1e-6, 1e-6, false), e.getKey());
      }
      assertEquals(suite.alpha(), back.alpha(), 1e-6);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2-from-peft", "llama-from-peft", "gpt2-suite"})
  void aMergedModelHasTheLogitsOfItsAdapterModel(String name) throws IOException {
    String family = name.substring(0, name.indexOf('-'));
    Path adapter = name.endsWith("-suite") ? fixture(name).resolve("adapter") : fixture(name);
    Path merged = tmp.resolve("merged");
    try (NDManager m = NDManager.newBaseManager()) {
      AdapterMerge.write(base(family), adapter, merged, m);
      assertFalse(Files.exists(merged.resolve(HfCheckpoint.ADAPTER_DIR)));
      try (LanguageModel model = HfCheckpoint.load(merged, m)) {
        assertTrue(model.adapter() == io.llmft.models.Adapter.NONE);
        assertLogits(JSON.readTree(fixture(name).resolve("golden.json").toFile()), model);
      }
    }
  }

  @Test
  void aLoraModelIsSavedWithItsPeftAdapterBesideTheMergedWeights() throws IOException {
    Path dir = tmp.resolve("model");
    try (NDManager m = NDManager.newBaseManager()) {
      ModelWeights weights = HfCheckpoint.loadWeights(base("llama"), m);
      LoraAdapters lora = PeftAdapters.read(fixture("llama-suite"), weights.config(), m);
      try (LanguageModel model = weights.build(Precision.FP32, lora)) {
        HfCheckpoint.save(
            model, HfCheckpoint.tokenizer(base("llama"), model.config()), dir, () -> {}, "base-id");
      }
    }
    Path adapter = dir.resolve(HfCheckpoint.ADAPTER_DIR);
    assertTrue(PeftAdapters.holdsAdapter(adapter));
    assertEquals("base-id", PeftAdapters.baseModel(adapter));
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel merged = HfCheckpoint.load(dir, m);
        LanguageModel adapted = HfCheckpoint.load(base("llama"), adapter, m)) {
      JsonNode golden = JSON.readTree(fixture("llama-suite").resolve("golden.json").toFile());
      assertLogits(golden, merged);
      assertLogits(golden, adapted);
    }
  }

  @Test
  void peftOptionsTheSuiteDoesNotRunAreRefusedByName() throws IOException {
    for (String option : new String[] {"use_dora", "use_rslora"}) {
      Path dir = copyOfPeftAdapter("llama-from-peft", option);
      editConfig(dir, c -> c.put(option, true));
      assertRefused(dir, "llama", option);
    }
    Path biased = copyOfPeftAdapter("llama-from-peft", "bias");
    editConfig(biased, c -> c.put("bias", "all"));
    assertRefused(biased, "llama", "bias");
    Path saved = copyOfPeftAdapter("llama-from-peft", "saved");
    editConfig(saved, c -> c.putArray("modules_to_save").add("lm_head"));
    assertRefused(saved, "llama", "modules_to_save");
  }

  @Test
  void aTargetModuleTheFamilyDoesNotHaveIsRefused() throws IOException {
    Path dir = copyOfPeftAdapter("qwen3-from-peft", "targets");
    editConfig(dir, c -> c.putArray("target_modules").add("k_proj").add("c_attn"));
    assertRefused(dir, "qwen3", "target_modules: 'c_attn'");
  }

  @Test
  void anAdapterOfAnotherFamilyIsRefused() {
    assertRefused(fixture("gpt2-from-peft"), "llama", "trained on a gpt2 model");
    assertRefused(fixture("gpt2-suite"), "qwen3", "trained on a gpt2 model");
  }

  @Test
  void anAdapterForOtherWidthsIsRefusedFromItsHeadersNamingTheModule() throws IOException {
    var qwen3 = HfCheckpoint.readConfig(base("qwen3"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PeftAdapters.check(fixture("llama-from-peft"), qwen3));
    assertTrue(
        e.getMessage().matches(".*model.layers.0.[a-z_.]+: lora_A .* do not make .*"),
        e.getMessage());
    assertTrue(
        HfCheckpoint.unreadable(base("qwen3"), fixture("llama-from-peft")).contains("lora_A"));
    assertEquals(null, HfCheckpoint.unreadable(base("llama"), fixture("llama-from-peft")));
  }

  private Path copyOfPeftAdapter(String name, String as) throws IOException {
    Path dir = tmp.resolve(as);
    Files.createDirectories(dir);
    for (String file : new String[] {PeftAdapters.CONFIG_FILE, PeftAdapters.WEIGHTS_FILE}) {
      Files.copy(fixture(name).resolve(file), dir.resolve(file));
    }
    return dir;
  }

  private static void editConfig(Path dir, java.util.function.Consumer<ObjectNode> edit)
      throws IOException {
    Path file = dir.resolve(PeftAdapters.CONFIG_FILE);
    ObjectNode config = (ObjectNode) JSON.readTree(file.toFile());
    edit.accept(config);
    JSON.writeValue(file.toFile(), config);
  }

  private static void assertRefused(Path dir, String family, String field) {
    try (NDManager m = NDManager.newBaseManager()) {
      var config = HfCheckpoint.readConfig(base(family));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> PeftAdapters.read(dir, config, m));
      assertTrue(e.getMessage().contains(field), e.getMessage());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void assertLogits(JsonNode golden, LanguageModel model) {
    float[][] expected = expected(golden);
    float[][] actual = logits(golden, model, expected[0].length);
    for (int t = 0; t < expected.length; t++) {
      for (int v = 0; v < expected[t].length; v++) {
        assertEquals(expected[t][v], actual[t][v], TOLERANCE, "position " + t + ", token " + v);
      }
    }
  }

  private static double maxDifference(JsonNode golden, LanguageModel model) {
    float[][] expected = expected(golden);
    float[][] actual = logits(golden, model, expected[0].length);
    double max = 0;
    for (int t = 0; t < expected.length; t++) {
      for (int v = 0; v < expected[t].length; v++) {
        max = Math.max(max, Math.abs(expected[t][v] - actual[t][v]));
      }
    }
    return max;
  }

  private static float[][] expected(JsonNode golden) {
    JsonNode rows = golden.get("logits");
    float[][] out = new float[rows.size()][];
    for (int t = 0; t < out.length; t++) {
      out[t] = new float[rows.get(t).size()];
      for (int v = 0; v < out[t].length; v++) {
        out[t][v] = (float) rows.get(t).get(v).asDouble();
      }
    }
    return out;
  }

  /** The model's logits on the golden tokens, the first {@code shown} of every position. */
  private static float[][] logits(JsonNode golden, LanguageModel model, int shown) {
    JsonNode tokens = golden.get("tokens").get(0);
    long[] ids = new long[tokens.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = tokens.get(i).asLong();
    }
    try (NDManager m = model.manager().newSubManager()) {
      NDArray input = m.create(ids, new Shape(1, ids.length)).toType(DataType.INT64, false);
      NDArray out = model.forward(input); // (1, T, V)
      long vocab = out.getShape().get(2);
      float[] all = out.toFloatArray();
      float[][] rows = new float[ids.length][shown];
      for (int t = 0; t < ids.length; t++) {
        System.arraycopy(all, (int) (t * vocab), rows[t], 0, shown);
      }
      return rows;
    }
  }

  private static void assertSameTensors(Path expected, Path actual) throws IOException {
    Map<String, Safetensors.Tensor> want = tensors(expected);
    Map<String, Safetensors.Tensor> got = tensors(actual);
    assertEquals(want.keySet(), got.keySet());
    for (String key : want.keySet()) {
      assertEquals(
          java.util.Arrays.toString(want.get(key).shape()),
          java.util.Arrays.toString(got.get(key).shape()),
          key);
      float[] a = want.get(key).data();
      float[] b = got.get(key).data();
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-7f, key + "[" + i + "]");
      }
    }
  }

  private static Map<String, Safetensors.Tensor> tensors(Path file) throws IOException {
    Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
    Safetensors.forEach(file, out::put);
    return out;
  }

  private static Set<String> names(JsonNode array) {
    Set<String> out = new HashSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Map<String, Double> doubles(JsonNode object) {
    Map<String, Double> out = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
    return out;
  }
}
