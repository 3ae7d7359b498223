package io.llmft.core.bench;

import ai.djl.ndarray.NDManager;
import io.llmft.core.engine.DjlRuntime;
import io.llmft.core.model.HfCheckpoint;
import io.llmft.core.model.gpt2.Gpt2Model;
import io.llmft.core.model.gpt2.GptConfig;
import io.llmft.core.text.Gpt2Tokenizer;
import java.nio.file.Path;

/** Writes a random-init GPT-2 of a preset as a Hugging Face checkpoint, for benchmarks. */
public final class RandomCheckpoint {
  public static void main(String[] args) throws Exception {
    DjlRuntime.init();
    try (NDManager manager = NDManager.newBaseManager();
        Gpt2Model model = Gpt2Model.randomInit(GptConfig.preset(args[0]), 123, manager)) {
      HfCheckpoint.save(model, Gpt2Tokenizer.get(), Path.of(args[1]));
    }
  }
}
