package io.llmft.training.bench;

import ai.djl.ndarray.NDManager;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.training.AdamW;
import io.llmft.training.BookTrainer;
import io.llmft.training.data.Batch;
import io.llmft.training.data.InstructionCollator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Resident memory of the process over many training steps (forward, backward, AdamW) on padded
 * batches of varying length, as {@code scripts/benchmark.sh memory} runs it: it should stay flat.
 * Arguments: steps (1000), emb_dim (32), layers (1).
 */
public final class MemoryBenchmark {
  private MemoryBenchmark() {}

  private static long rssMiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }

  public static void main(String[] args) throws IOException {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int emb = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int layers = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    DjlRuntime.init();
    GptConfig config = new GptConfig(GptConfig.GPT2_VOCAB_SIZE, 256, emb, layers, 2);
    Random random = new Random(1);
    InstructionCollator collator = new InstructionCollator(256);
    try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device());
        Gpt2Model model = Gpt2Model.randomInit(config, 123, manager)) {
      model.parameters().values().forEach(p -> p.setRequiresGradient(true));
      BookTrainer trainer = new BookTrainer(model);
      try (AdamW optimizer = new AdamW(model.parameters(), 5e-5, 0.1, manager)) {
        for (int step = 1; step <= steps; step++) {
          List<int[]> items = new ArrayList<>();
          for (int b = 0; b < 8; b++) {
            int[] item = new int[20 + random.nextInt(100)];
            for (int t = 0; t < item.length; t++) {
              item[t] = random.nextInt(50000);
            }
            items.add(item);
          }
          Batch batch = collator.collate(items);
          trainer.trainStep(batch, optimizer);
          if (step == 1 || step % 100 == 0) {
            System.out.printf(
                "step %4d: RSS %d MiB, arrays in the model's manager %d%n",
                step, rssMiB(), model.manager().getManagedArrays().size());
          }
        }
      }
    }
  }
}
