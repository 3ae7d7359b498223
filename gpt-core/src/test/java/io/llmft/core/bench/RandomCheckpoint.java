package io.llmft.core.bench;

import ai.djl.ndarray.NDManager;
import io.llmft.core.engine.DjlRuntime;
import io.llmft.core.model.Gpt2Model;
import io.llmft.core.model.GptConfig;
import io.llmft.core.model.HfCheckpoint;
import java.nio.file.Path;

/** Writes a random-init GPT-2 of a preset as a Hugging Face checkpoint, for benchmarks. */
public final class RandomCheckpoint {
  public static void main(String[] args) throws Exception {
    DjlRuntime.init();
    try (NDManager manager = NDManager.newBaseManager();
        Gpt2Model model = Gpt2Model.randomInit(GptConfig.preset(args[0]), 123, manager)) {
      HfCheckpoint.save(model, Path.of(args[1]));
    }
  }
}
