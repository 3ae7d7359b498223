package io.llmft.training.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llmft.models.LanguageModel;
import io.llmft.models.LoraSpec;
import io.llmft.models.ModelFamily;
import io.llmft.models.ModelWeights;
import io.llmft.models.Precision;
import io.llmft.models.checkpoint.FamilyFormats;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.llama.LlamaConfig;
import io.llmft.serving.generate.Generation;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.llmft.training.AdamW;
import io.llmft.training.BookTrainer;
import io.llmft.training.data.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * A Llama 3.2 1B-shaped random model (hidden 2048, 16 layers, 32 heads, 8 key/value heads,
 * intermediate 8192, vocabulary 128,256, tied head, Llama 3's RoPE scaling) on this machine, as
 * {@code scripts/benchmark.sh llama} runs it: a LoRA training step (rank 16 on the seven
 * projections), a full-finetune step where fp32 weights, gradients and AdamW's two moments fit in
 * memory, greedy decoding with the KV cache, and the process's peak resident memory after each. Not
 * a test: numbers go to the README.
 *
 * <p>Arguments: batch size (4), sequence length (64), timed steps (2), new tokens (32), what to
 * train ("lora", "full" or "both"; "lora" by default).
 */
public final class LlamaBenchmark {
  static final LlamaConfig LLAMA_32_1B =
      new LlamaConfig(
          ModelFamily.LLAMA,
          128_256,
          131_072,
          2048,
          8192,
          16,
          32,
          8,
          64,
          1e-5,
          500_000,
          new LlamaConfig.RopeScaling(32, 1, 4, 8192),
          true,
          false,
          128_000,
          new int[] {128_001, 128_008, 128_009});

  private LlamaBenchmark() {}

  public static void main(String[] args) throws IOException {
    int batchSize = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int length = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int newTokens = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    String train = args.length > 4 ? args[4] : "lora";
    DjlRuntime.init();
    LlamaConfig c = LLAMA_32_1B;
    System.out.printf(
        "Llama 3.2 1B shape: %,d parameters, batch %d x %d tokens, device %s, %s, CPU flags: %s%n",
        c.parameterCount(),
        batchSize,
        length,
        DjlRuntime.device(),
        Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion(),
        cpuFlags());
    Batch batch = randomBatch(c, batchSize, length);
    try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device())) {
      if (!train.equals("full")) {
        ModelWeights weights = FamilyFormats.of(ModelFamily.LLAMA).randomInit(c, 123, manager);
        try (LanguageModel model = weights.build(Precision.FP32, new LoraSpec(16, 16, 123))) {
          printf("model built (fp32 weights, LoRA rank 16 adapters)");
          timeSteps("LoRA rank 16", model, batch, steps, manager);
          decode(model, newTokens);
        }
      }
      if (!train.equals("lora")) {
        long need = 4L * 4 * c.parameterCount(); // weights, gradients, two AdamW moments
        long total = memTotal();
        if (need > total * 0.9) {
          System.out.printf(
              "full finetune: skipped, fp32 weights + gradients + AdamW moments need %.1f GB,"
                  + " the machine has %.1f GB%n",
              need / 1e9, total / 1e9);
          return;
        }
        ModelWeights weights = FamilyFormats.of(ModelFamily.LLAMA).randomInit(c, 123, manager);
        try (LanguageModel model = weights.build()) {
          timeSteps("full finetune", model, batch, steps, manager);
        }
      }
    }
  }

  private static void timeSteps(
      String what, LanguageModel model, Batch batch, int steps, NDManager manager) {
    Map<String, NDArray> trainable = model.trainableParameters();
    trainable.values().forEach(p -> p.setRequiresGradient(true));
    long count = trainable.values().stream().mapToLong(NDArray::size).sum();
    BookTrainer trainer = new BookTrainer(model);
    try (AdamW optimizer = new AdamW(trainable, 5e-5, 0.1, manager)) {
      long start = System.nanoTime();
      trainer.trainStep(batch, optimizer);
      System.out.printf(
          "%s (%,d trainable): warm-up step %.1f s%n",
          what, count, (System.nanoTime() - start) / 1e9);
      for (int i = 0; i < steps; i++) {
        start = System.nanoTime();
        double loss = trainer.trainStep(batch, optimizer);
        printf(
            String.format(
                "%s step %d: %.2f s, loss %.3f",
                what, i + 1, (System.nanoTime() - start) / 1e9, loss));
      }
    }
  }

  private static void decode(LanguageModel model, int newTokens) {
    int[] prompt = new int[32];
    Random random = new Random(3);
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = random.nextInt(128_000);
    }
    Generator generator = new Generator(model);
    generator.generate(prompt, 4, 1024, Sampler.greedy(), StopTokens.NONE); // warm-up
    long start = System.nanoTime();
    Generation g = generator.generate(prompt, newTokens, 1024, Sampler.greedy(), StopTokens.NONE);
    double seconds = (System.nanoTime() - start) / 1e9;
    double bytes =
        4.0 * model.parameterCount(); // every weight read once a token (the head is the embedding)
    printf(
        String.format(
            "greedy decoding, prompt 32, %d new tokens with the KV cache: %.2f tokens/s"
                + " (weights read at %.1f GB/s)",
            g.generatedCount(),
            g.generatedCount() / seconds,
            bytes * g.generatedCount() / seconds / 1e9));
  }

  private static Batch randomBatch(LlamaConfig c, int b, int t) {
    Random random = new Random(1);
    long[][] inputs = new long[b][t];
    long[][] targets = new long[b][t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        inputs[i][j] = random.nextInt(c.vocabSize());
        targets[i][j] = random.nextInt(c.vocabSize());
      }
    }
    return new Batch(inputs, targets);
  }

  /** A line with the process's peak resident memory so far. */
  private static void printf(String line) {
    System.out.printf("%s; peak RSS %.2f GB%n", line, peakRss() / 1e9);
  }

  private static long peakRss() {
    return procKb(Path.of("/proc/self/status"), "VmHWM:");
  }

  private static long memTotal() {
    return procKb(Path.of("/proc/meminfo"), "MemTotal:");
  }

  private static long procKb(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  private static String cpuFlags() {
    try {
      String info = Files.readString(Path.of("/proc/cpuinfo"));
      StringBuilder flags = new StringBuilder();
      for (String f : new String[] {"avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16"}) {
        if (info.matches("(?s).*\\b" + f + "\\b.*")) {
          flags.append(flags.length() == 0 ? "" : " ").append(f);
        }
      }
      return flags.toString();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
