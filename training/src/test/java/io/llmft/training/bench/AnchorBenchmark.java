package io.llmft.training.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.llmft.models.Adapter;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelFamily;
import io.llmft.models.ModelWeights;
import io.llmft.models.ServingPrecision;
import io.llmft.models.checkpoint.FamilyFormats;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.gguf.GgufExport;
import io.llmft.models.gguf.GgufType;
import io.llmft.models.llama.LlamaConfig;
import io.llmft.serving.generate.Generation;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.llmft.text.Tokenizer;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * The CPU serving anchor, as {@code scripts/benchmark.sh anchor} runs it: a random-init Llama 3.2
 * 1B-shaped model decoded greedily by the suite (its {@link Generator} with the KV cache, in each
 * {@code serving.precision}) and, by the script, by llama.cpp from the suite's GGUF exports. Each
 * measurement runs in its own process, so that its peak resident memory is its own. Not a test.
 *
 * <ul>
 *   <li>{@code write DIR TOKENIZER_DIR}: the checkpoint (safetensors, config, the tokenizer files
 *       of {@code TOKENIZER_DIR}) in {@code DIR}, and its GGUF exports {@code DIR-f32.gguf}, {@code
 *       DIR-bf16.gguf}, {@code DIR-q8_0.gguf};
 *   <li>{@code prompt PROMPT}: those ids, comma-separated, for llama.cpp;
 *   <li>{@code decode DIR PRECISION NEW PROMPT}: a PROMPT-token prompt (random ids, seed 3, as the
 *       script gives llama.cpp) then NEW greedy tokens; prints one {@code RESULT} line: prefill and
 *       decode tokens/s.
 * </ul>
 */
public final class AnchorBenchmark {
  private AnchorBenchmark() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "write" -> write(Path.of(args[1]), Path.of(args[2]));
      case "decode" ->
          decode(
              Path.of(args[1]),
              ServingPrecision.fromId(args[2]),
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]));
      case "prompt" ->
          System.out.println(
              Arrays.stream(prompt(Integer.parseInt(args[1])))
                  .mapToObj(Integer::toString)
                  .collect(Collectors.joining(",")));
      default -> throw new IllegalArgumentException("write or decode, not " + args[0]);
    }
  }

  /** The random prompt ids both engines get. */
  static int[] prompt(int length) {
    Random random = new Random(3);
    int[] ids = new int[length];
    for (int i = 0; i < length; i++) {
      ids[i] = random.nextInt(128_000);
    }
    return ids;
  }

  private static void write(Path dir, Path tokenizerDir) throws Exception {
    DjlRuntime.init();
    LlamaConfig c = LlamaBenchmark.LLAMA_32_1B;
    // the tokenizer's files beside a config.json naming Llama 3's end-of-text ids, as it reads them
    Path files = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-tokenizer"));
    for (String name : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
      Files.copy(tokenizerDir.resolve(name), files.resolve(name));
    }
    Files.writeString(
        files.resolve("config.json"),
        "{\"bos_token_id\": 128000, \"eos_token_id\": [128001, 128008, 128009]}\n");
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelWeights weights = FamilyFormats.of(ModelFamily.LLAMA).randomInit(c, 123, manager);
      try (LanguageModel model = weights.build()) {
        Tokenizer tokenizer = FamilyFormats.of(ModelFamily.LLAMA).tokenizer(files);
        HfCheckpoint.save(model, tokenizer, dir);
      }
    }
    for (GgufType type : new GgufType[] {GgufType.F32, GgufType.BF16, GgufType.Q8_0}) {
      Path file = dir.resolveSibling(dir.getFileName() + "-" + type.label() + ".gguf");
      long start = System.nanoTime();
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
        GgufExport.write(dir, type, "llama-3.2-1b-shaped-random", out);
      }
      System.out.printf(
          "exported %s: %.2f GB in %.0f s%n",
          file.getFileName(), Files.size(file) / 1e9, (System.nanoTime() - start) / 1e9);
    }
  }

  /** This process's resident memory now, GB ({@code VmRSS}). */
  private static double residentGb() throws java.io.IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
            .filter(l -> l.startsWith("VmRSS:"))
            .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
            .findFirst()
            .orElse(0)
        / 1048576.0;
  }

  private static void decode(Path dir, ServingPrecision precision, int newTokens, int promptLength)
      throws Exception {
    DjlRuntime.init();
    String flags =
        io.llmft.models.engine.NativeBf16.cpuFlags().stream()
            .filter(f -> f.matches("avx2|avx512f|avx512_bf16|amx_bf16"))
            .sorted()
            .collect(Collectors.joining(" "));
    try (NDManager manager = NDManager.newBaseManager()) {
      ServingPrecision.Choice choice =
          precision.on(Device.cpu(), HfCheckpoint.readConfig(dir).family());
      long start = System.nanoTime();
      ModelWeights weights = HfCheckpoint.loadWeights(dir, manager);
      try (LanguageModel model = ServingPrecision.build(weights, choice, Adapter.NONE)) {
        System.out.printf(
            "suite %s: served %s (%s), loaded in %.1f s, %s %s, threads %d, CPU flags %s%n",
            precision.id(),
            choice.served().id(),
            choice.reason(),
            (System.nanoTime() - start) / 1e9,
            Engine.getInstance().getEngineName(),
            Engine.getInstance().getVersion(),
            Integer.getInteger("ai.djl.pytorch.num_threads", -1),
            flags);
        double resident = residentGb(); // the served model's memory, before any KV cache
        int[] prompt = prompt(promptLength);
        Generator generator = new Generator(model);
        int context = promptLength + newTokens + 8;
        generator.generate(prompt, 2, context, Sampler.greedy(), StopTokens.NONE); // warm-up
        start = System.nanoTime();
        generator.generate(prompt, 1, context, Sampler.greedy(), StopTokens.NONE);
        double prefill = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        Generation g =
            generator.generate(prompt, newTokens, context, Sampler.greedy(), StopTokens.NONE);
        double all = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "RESULT suite %s prefill %.2f decode %.2f resident %.2f first %s%n",
            choice.served() == precision
                ? precision.id()
                : precision.id() + "(served-" + choice.served().id() + ")",
            promptLength / prefill,
            (g.generatedCount() - 1) / (all - prefill),
            resident,
            Arrays.toString(Arrays.copyOf(g.generatedTokens(), Math.min(8, g.generatedCount()))));
      }
    }
  }
}
