package io.llmft.models.gpt2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.llmft.models.KvCache;
import io.llmft.models.engine.DjlRuntime;
import org.junit.jupiter.api.Test;

/**
 * Without gradients an fp32 model runs its blocks as one TorchScript graph; with them, operation by
 * operation. Both give the same hidden states, with and without a KV cache.
 */
class ScriptedBlocksTest {
  private static final GptConfig CONFIG = new GptConfig(50257, 64, 32, 3, 4);

  /** The hidden states of a 6-token prompt, then 3 tokens one at a time through a cache. */
  private static NDArray[] run(Gpt2Model model, NDManager m, boolean grad) {
    JniUtils.setGradMode(grad);
    try (KvCache cache = new KvCache(CONFIG.nLayers())) {
      NDArray full = model.hidden(m.create(new long[][] {{5, 17, 300, 9, 42, 7, 11, 99, 1000}}));
      NDArray prefill = model.hidden(m.create(new long[][] {{5, 17, 300, 9, 42, 7}}), cache);
      NDArray[] steps = new NDArray[3];
      long[] next = {11, 99, 1000};
      for (int i = 0; i < 3; i++) {
        steps[i] = model.hidden(m.create(new long[][] {{next[i]}}), cache);
      }
      return new NDArray[] {full, prefill, steps[0], steps[1], steps[2]};
    } finally {
      JniUtils.setGradMode(false);
    }
  }

  @Test
  void theGraphComputesWhatTheBlocksCompute() {
    DjlRuntime.init();
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Gpt2Model.randomInit(CONFIG, 7, m)) {
      NDArray[] ops = run(model, m, true);
      NDArray[] graph = run(model, m, false);
      for (int i = 0; i < ops.length; i++) {
        assertEquals(0, ops[i].sub(graph[i]).abs().max().getFloat(), 1e-5, "output " + i);
      }
      // and the cached decode equals the full pass at those positions
      assertEquals(
          0,
          graph[0].get(":, 8:9, :").sub(graph[4]).abs().max().getFloat(),
          1e-5,
          "the third cached step is position 8 of the full pass");
    }
  }
}
