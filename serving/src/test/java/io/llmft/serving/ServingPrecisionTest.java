package io.llmft.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llmft.models.Adapter;
import io.llmft.models.Fixtures;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelFamily;
import io.llmft.models.Precision;
import io.llmft.models.ServingPrecision;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.engine.NativeBf16;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code serving.precision=bf16}: a tiny model served with bfloat16 weights and products gives the
 * fp32 model's logits within bfloat16's rounding and its greedy tokens. The bf16 model is built
 * whatever the CPU (emulated bfloat16 is slow, not wrong; the models are tiny).
 */
class ServingPrecisionTest {
  private static final ServingPrecision.Choice BF16 =
      new ServingPrecision.Choice(ServingPrecision.BF16, ServingPrecision.BF16, "test");

  @ParameterizedTest
  @ValueSource(strings = {"llama-tiny", "qwen3-tiny"})
  void bf16ServedModelKeepsTheFp32LogitsAndGreedyTokens(String fixture) throws Exception {
    Path dir = Fixtures.model(fixture);
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel fp32 = HfCheckpoint.load(dir, m);
        LanguageModel bf16 =
            ServingPrecision.build(HfCheckpoint.loadWeights(dir, m), BF16, Adapter.NONE)) {
      assertEquals(Precision.BF16, bf16.precision());
      int vocab = fp32.config().vocabSize();
      Random random = new Random(5);
      int[] ids = random.ints(24, 0, vocab).toArray();
      try (NDManager scope = m.newSubManager()) {
        NDArray tokens = scope.create(ids).reshape(1, ids.length);
        float[] want = fp32.forward(tokens).toFloatArray();
        float[] got = bf16.forward(tokens).toFloatArray();
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
          scale = Math.max(scale, Math.abs(want[i]));
          worst = Math.max(worst, Math.abs(want[i] - got[i]));
        }
        // bfloat16 keeps 8 significant bits (relative rounding 2^-9 per operand); through a few
        // layers of products the logits move by a few percent of their range at most
        assertTrue(worst <= 0.05 * scale, fixture + ": max |Δlogit| " + worst + " of " + scale);
      }
      int agreeing = 0;
      int total = 0;
      for (int p = 0; p < 4; p++) {
        int[] prompt = random.ints(8, 0, vocab).toArray();
        int[] want = greedy(fp32, prompt);
        int[] got = greedy(bf16, prompt);
        assertEquals(want[0], got[0], fixture + ": the first greedy token of prompt " + p);
        for (int i = 0; i < want.length; i++) {
          agreeing += want[i] == got[i] ? 1 : 0;
          total++;
        }
      }
      // a near-tie may flip a late token and what follows it: at least three quarters agree
      assertTrue(4 * agreeing >= 3 * total, fixture + ": " + agreeing + " of " + total + " agree");
    }
  }

  @Test
  void bf16IsTakenOnlyWhereTheDeviceMultipliesBf16Natively() {
    NativeBf16 hardware = NativeBf16.of(Device.cpu());
    ServingPrecision.Choice llama = ServingPrecision.BF16.on(Device.cpu(), ModelFamily.LLAMA);
    assertEquals(
        hardware.nativeBf16() ? ServingPrecision.BF16 : ServingPrecision.FP32, llama.served());
    assertTrue(llama.reason().contains(hardware.reason()), llama.reason());
    ServingPrecision.Choice gpt2 = ServingPrecision.BF16.on(Device.cpu(), ModelFamily.GPT2);
    assertEquals(ServingPrecision.FP32, gpt2.served());
    assertTrue(gpt2.reason().startsWith("served in fp32"), gpt2.reason());
    assertEquals(
        ServingPrecision.FP32, ServingPrecision.FP32.on(Device.cpu(), ModelFamily.LLAMA).served());
  }

  @Test
  void unknownPrecisionNamesTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServingPrecision.fromId("int4"));
    assertEquals("unknown serving precision 'int4' (known: fp32, bf16)", e.getMessage());
  }

  private static int[] greedy(LanguageModel model, int[] prompt) {
    return new Generator(model)
        .generate(prompt, 16, 64, Sampler.greedy(), StopTokens.NONE)
        .generatedTokens();
  }
}
