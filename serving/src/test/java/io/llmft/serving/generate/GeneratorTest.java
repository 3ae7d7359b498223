package io.llmft.serving.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import io.llmft.contract.Sampling;
import io.llmft.models.Golden;
import io.llmft.models.gpt2.Gpt2Model;
import org.junit.jupiter.api.Test;

class GeneratorTest {
  @Test
  void stopsAtTheEndOfTextIdWithoutAppendingIt() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      int[] prompt = Golden.ints(Golden.json().get("prompt_ids"));
      int firstGreedy = Golden.json().get("greedy_20").get(0).asInt();
      Generation g =
          new Generator(model)
              .generate(prompt, 20, 96, Sampler.greedy(), StopTokens.of(firstGreedy));
      assertEquals(Generation.FinishReason.EOS, g.finishReason());
      assertEquals(0, g.generatedCount());
      assertArrayEquals(prompt, g.tokens());
    }
  }

  @Test
  void cropsTheContextToTheLastContextSizeTokens() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      int[] prompt = Golden.ints(Golden.json().get("prompt_ids"));
      int[] tail = java.util.Arrays.copyOfRange(prompt, prompt.length - 10, prompt.length);
      Generation cropped =
          new Generator(model).generate(prompt, 3, 10, Sampler.greedy(), StopTokens.NONE);
      Generation fromTail =
          new Generator(model).generate(tail, 1, 10, Sampler.greedy(), StopTokens.NONE);
      assertEquals(fromTail.generatedTokens()[0], cropped.generatedTokens()[0]);
      assertEquals(3, cropped.generatedCount());
      // a prompt longer than the model's context (96) is cropped, not refused
      int[] longPrompt = new int[150];
      java.util.Arrays.fill(longPrompt, 318);
      assertEquals(
          2,
          new Generator(model)
              .generate(longPrompt, 2, 1024, Sampler.greedy(), StopTokens.NONE)
              .generatedCount());
    }
  }

  @Test
  void theKvCacheGivesTheTokensOfThePlainForwardPass() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      int[] prompt = Golden.ints(Golden.json().get("prompt_ids"));
      // 48 prompt tokens + 70 new ones outgrow the 96-token context: the window moves too.
      Generation cached =
          new Generator(model).generate(prompt, 70, 96, Sampler.greedy(), StopTokens.NONE, true);
      Generation plain =
          new Generator(model).generate(prompt, 70, 96, Sampler.greedy(), StopTokens.NONE, false);
      assertArrayEquals(plain.tokens(), cached.tokens());
      Generation sampled =
          new Generator(model)
              .generate(
                  prompt,
                  30,
                  96,
                  Sampler.of(new Sampling(1.0, 50, null, 7L)),
                  StopTokens.NONE,
                  true);
      Generation sampledPlain =
          new Generator(model)
              .generate(
                  prompt,
                  30,
                  96,
                  Sampler.of(new Sampling(1.0, 50, null, 7L)),
                  StopTokens.NONE,
                  false);
      assertArrayEquals(sampledPlain.tokens(), sampled.tokens());
    }
  }

  @Test
  void topKOneIsGreedyAndSeededSamplingRepeats() {
    float[] logits = {0.1f, 2.5f, 0.3f, 2.4f};
    assertEquals(1, Sampler.greedy().next(logits));
    assertEquals(1, Sampler.of(new Sampling(1.0, 1, null, 7L)).next(logits));
    Sampler a = Sampler.of(new Sampling(0.8, 3, null, 42L));
    Sampler b = Sampler.of(new Sampling(0.8, 3, null, 42L));
    for (int i = 0; i < 20; i++) {
      int x = a.next(logits);
      assertEquals(x, b.next(logits));
      assertEquals(true, x != 0, "index 0 is below the 3rd largest logit and masked");
    }
  }
}
