package io.llmft.training.bench;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.contract.InstructionEntry;
import io.llmft.models.LanguageModel;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.text.Gpt2Tokenizer;
import io.llmft.text.PromptStyle;
import io.llmft.training.AdamW;
import io.llmft.training.BookTrainer;
import io.llmft.training.data.Batch;
import io.llmft.training.data.InstructionCollator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The book's chapter-7 finetuning at gpt2-small size against PyTorch, step by step: the random
 * weights and the per-step losses {@code tools/golden/gpt2_small_steps.py} wrote (batch 8 of the
 * book's first training entries in order, AdamW lr 5e-5, weight decay 0.1, 20 fp32 steps), then the
 * held-out loss of the first validation batch. Prints each step's difference; exits 1 when one is
 * beyond the tolerance (1e-3 by default: the differences measured are a thousandth of it, and the
 * gap a changed computation leaves is far larger). Too slow for CI (two gpt2-small runs); {@code
 * scripts/benchmark.sh fidelity} runs it.
 *
 * <p>Arguments: the weights directory, the golden json, the tolerance (1e-3).
 */
public final class FidelityBenchmark {
  private static final int PAD = 50256;

  private FidelityBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path weights = Path.of(args[0]);
    JsonNode golden = new ObjectMapper().readTree(Path.of(args[1]).toFile());
    double tolerance = args.length > 2 ? Double.parseDouble(args[2]) : 1e-3;
    JsonNode settings = golden.get("settings");
    int batchSize = settings.get("batchSize").asInt();
    int steps = settings.get("steps").asInt();
    JsonNode data =
        new ObjectMapper()
            .readTree(
                Path.of("dataset-service/src/main/resources/datasets/instruction-data.json")
                    .toFile());
    int n = data.size();
    int trainEnd = (int) (n * 0.85);
    int validationStart = trainEnd + (int) (n * 0.1);
    InstructionCollator collator =
        new InstructionCollator(settings.get("allowedMaxLength").asInt(), PAD);
    DjlRuntime.init();
    double worst = 0;
    try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device());
        LanguageModel model = HfCheckpoint.load(weights, manager)) {
      model.parameters().values().forEach(p -> p.setRequiresGradient(true));
      BookTrainer trainer = new BookTrainer(model);
      System.out.printf(
          "gpt2-small shape, %,d parameters; PyTorch %s on %d threads%n",
          model.parameterCount(), golden.get("torch").asText(), golden.get("threads").asInt());
      try (AdamW optimizer =
          new AdamW(
              model.parameters(),
              settings.get("lr").asDouble(),
              settings.get("weightDecay").asDouble(),
              manager)) {
        for (int step = 0; step < steps; step++) {
          Batch batch = collator.collate(items(data, step * batchSize, (step + 1) * batchSize));
          double loss = trainer.trainStep(batch, optimizer);
          double expected = golden.get("stepLosses").get(step).asDouble();
          worst = Math.max(worst, Math.abs(loss - expected));
          System.out.printf(
              "step %2d: java %.6f  pytorch %.6f  difference %+.6f%n",
              step + 1, loss, expected, loss - expected);
        }
      }
      Batch heldOut = collator.collate(items(data, validationStart, validationStart + batchSize));
      double held = trainer.batchLoss(heldOut);
      double expected = golden.get("heldOutLoss").asDouble();
      worst = Math.max(worst, Math.abs(held - expected));
      System.out.printf(
          "held-out batch after %d steps: java %.6f  pytorch %.6f  difference %+.6f%n",
          steps, held, expected, held - expected);
    }
    System.out.printf("largest difference %.6f (tolerance %.3f)%n", worst, tolerance);
    if (worst > tolerance) {
      System.exit(1);
    }
  }

  private static List<int[]> items(JsonNode data, int from, int to) {
    List<int[]> items = new ArrayList<>();
    for (int i = from; i < to; i++) {
      JsonNode e = data.get(i);
      InstructionEntry entry =
          new InstructionEntry(
              e.get("instruction").asText(), e.path("input").asText(""), e.get("output").asText());
      items.add(Gpt2Tokenizer.get().encode(PromptStyle.ALPACA.formatTraining(entry)));
    }
    return items;
  }
}
