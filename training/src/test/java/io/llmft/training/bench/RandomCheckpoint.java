package io.llmft.training.bench;

import ai.djl.ndarray.NDManager;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.text.Gpt2Tokenizer;
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
