package io.llmft.models.checkpoint;

import ai.djl.ndarray.NDManager;
import io.llmft.models.LanguageModel;
import io.llmft.text.Tokenizer;
import java.nio.file.Path;

/**
 * A process that replaces the model at {@code args[1]} with the one at {@code args[0]} and halts
 * (as SIGKILL would end it: no shutdown hooks, nothing flushed) right after the save step {@code
 * args[2]}.
 */
public final class SaveAndHalt {
  static final int HALTED = 137;

  public static void main(String[] args) throws Exception {
    Path source = Path.of(args[0]);
    Path target = Path.of(args[1]);
    HfCheckpoint.SaveStep haltAfter = HfCheckpoint.SaveStep.valueOf(args[2]);
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel model = HfCheckpoint.load(source, m)) {
      Tokenizer tokenizer = HfCheckpoint.tokenizer(source, model.config());
      HfCheckpoint.save(
          model,
          tokenizer,
          target,
          () -> {},
          step -> {
            if (step == haltAfter) {
              Runtime.getRuntime().halt(HALTED);
            }
          });
    }
    System.exit(0); // not reached
  }
}
