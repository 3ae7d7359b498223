package io.llmft.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llmft.models.Adapter;
import io.llmft.models.Fixtures;
import io.llmft.models.LanguageModel;
import io.llmft.models.LoraSpec;
import io.llmft.models.Precision;
import io.llmft.models.Safetensors;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many adapters on one base, as vLLM serves LoRA: requests for two adapters and for the base run in
 * one batch of one decode loop over one copy of the base, and each gets the greedy tokens of its
 * merged model run alone.
 */
class MultiAdapterBatchTest {
  /** Prompts of 3 to 8 tokens: the longer ones prefilled in chunks of 4 columns. */
  private static final DecodeLoop.Limits LIMITS = new DecodeLoop.Limits(8, 16, 4, 200, 60_000);

  private static final int NEW_TOKENS = 20;

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"gpt2-tiny", "llama-tiny", "qwen3-tiny"})
  void requestsForTwoAdaptersAndTheBaseShareABatchAndGetTheirMergedModelsTokens(String fixture)
      throws Exception {
    Path dir = Fixtures.model(fixture);
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel base = HfCheckpoint.load(dir, m);
        LanguageModel tunedA = tuned(dir, m, 1);
        LanguageModel tunedB = tuned(dir, m, 2);
        LanguageModel mergedA = merged(tunedA, dir, "a", m);
        LanguageModel mergedB = merged(tunedB, dir, "b", m)) {
      int vocab = base.config().vocabSize();
      List<Adapter> adapters = List.of(tunedA.adapter(), tunedB.adapter(), Adapter.NONE);
      List<LanguageModel> alone = List.of(mergedA, mergedB, base);
      DecodeLoop loop = new DecodeLoop(base, LIMITS, "test");
      List<DecodeLoopTest.Collected> sinks = new ArrayList<>();
      List<int[]> prompts = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        int[] prompt = prompt(3 + i, i, vocab);
        DecodeLoopTest.Collected sink = new DecodeLoopTest.Collected(Integer.MAX_VALUE);
        prompts.add(prompt);
        sinks.add(sink);
        loop.submit(
            new DecodeRequest(
                prompt, NEW_TOKENS, Sampler.greedy(), StopTokens.NONE, adapters.get(i % 3)),
            sink);
      }
      int differing = 0;
      for (int i = 0; i < 6; i++) {
        assertEquals(TokenSink.Ending.LENGTH, sinks.get(i).ending.get(60, TimeUnit.SECONDS));
        int[] expected = greedy(alone.get(i % 3), prompts.get(i));
        assertArrayEquals(expected, sinks.get(i).array(), fixture + " request " + i);
        if (i % 3 != 2 && !Arrays.equals(expected, greedy(base, prompts.get(i)))) {
          differing++;
        }
      }
      assertFalse(differing == 0, "the adapters change what the base answers");
      assertEquals(6, loop.stats().largestBatch(), "all six ran in one batch: " + loop.stats());
    }
  }

  private static int[] greedy(LanguageModel model, int[] prompt) {
    return new Generator(model)
        .generate(
            prompt, NEW_TOKENS, model.config().contextLength(), Sampler.greedy(), StopTokens.NONE)
        .generatedTokens();
  }

  /** The base with LoRA adapters whose B matrices are random (a trained adapter's shape). */
  private static LanguageModel tuned(Path dir, NDManager m, long seed) throws IOException {
    LanguageModel model =
        HfCheckpoint.loadWeights(dir, m).build(Precision.FP32, new LoraSpec(4, 2f, seed));
    Random random = new Random(seed);
    for (Map.Entry<String, NDArray> e : model.trainableParameters().entrySet()) {
      if (e.getKey().endsWith("lora_B")) {
        float[] values = new float[Math.toIntExact(e.getValue().size())];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (random.nextGaussian() * 0.5);
        }
        e.getValue().set(values);
      }
    }
    return model;
  }

  /** The adapter model's weights with its adapters merged in, as a model directory of its own. */
  private LanguageModel merged(LanguageModel tuned, Path dir, String name, NDManager m)
      throws IOException {
    Path out = Files.createDirectories(tmp.resolve(name));
    Files.copy(dir.resolve("config.json"), out.resolve("config.json"));
    try (NDManager scope = m.newSubManager()) {
      Map<String, NDArray> tensors = tuned.checkpointTensors();
      Safetensors.write(out.resolve("model.safetensors"), tensors);
    }
    return HfCheckpoint.load(out, m);
  }

  private static int[] prompt(int length, int seed, int vocab) {
    int[] ids = new int[length];
    for (int i = 0; i < length; i++) {
      ids[i] = (seed * 7919 + i * 104729) % vocab;
    }
    return ids;
  }
}
