package io.llmft.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llmft.models.Golden;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.serving.generate.Generation;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchDecoderTest {
  @Test
  void eachRowGetsTheTokensItGetsAlone() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      int[] golden = Golden.ints(Golden.json().get("prompt_ids")); // 48 tokens; context 96
      List<int[]> prompts =
          List.of(
              golden,
              Arrays.copyOfRange(golden, 10, 30),
              Arrays.copyOfRange(golden, 40, 43),
              Arrays.copyOfRange(golden, 0, 33),
              new int[] {golden[5]});
      Generator alone = new Generator(model);
      // A stop token that one row produces early, so rows leave the batch at different steps.
      int stop =
          alone.generate(prompts.get(1), 6, 96, Sampler.greedy(), StopTokens.NONE)
              .generatedTokens()[5];

      List<Generation> batched =
          new BatchDecoder(model).generate(prompts, 40, Sampler.greedy(), StopTokens.of(stop));

      int stoppedEarly = 0;
      for (int i = 0; i < prompts.size(); i++) {
        Generation expected =
            alone.generate(prompts.get(i), 40, 96, Sampler.greedy(), StopTokens.of(stop));
        assertArrayEquals(expected.tokens(), batched.get(i).tokens(), "row " + i);
        assertEquals(expected.finishReason(), batched.get(i).finishReason(), "row " + i);
        assertEquals(prompts.get(i).length, batched.get(i).promptLength());
        stoppedEarly += expected.finishReason() == Generation.FinishReason.EOS ? 1 : 0;
      }
      assertTrue(stoppedEarly >= 1 && stoppedEarly < prompts.size(), "rows finish apart");
    }
  }

  @Test
  void aPromptThatWouldOutgrowTheContextIsGeneratedAloneWithAMovingWindow() {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      int[] golden = Golden.ints(Golden.json().get("prompt_ids"));
      List<int[]> prompts = List.of(golden, Arrays.copyOfRange(golden, 0, 8));
      List<Generation> batched =
          new BatchDecoder(model)
              .generate(prompts, 60, Sampler.greedy(), StopTokens.NONE); // 48 + 60 > 96
      Generator alone = new Generator(model);
      for (int i = 0; i < prompts.size(); i++) {
        assertArrayEquals(
            alone.generate(prompts.get(i), 60, 96, Sampler.greedy(), StopTokens.NONE).tokens(),
            batched.get(i).tokens());
      }
    }
  }
}
