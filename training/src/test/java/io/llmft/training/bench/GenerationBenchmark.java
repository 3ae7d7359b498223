package io.llmft.training.bench;

import ai.djl.ndarray.NDManager;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.serving.generate.Generation;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import java.util.Random;

/**
 * Greedy generation speed with and without the KV cache, as {@code scripts/benchmark.sh generation}
 * runs it. Arguments: preset (default "gpt2-small (124M)"), prompt tokens (60), new tokens (256).
 */
public final class GenerationBenchmark {
  private GenerationBenchmark() {}

  public static void main(String[] args) {
    String preset = args.length > 0 ? args[0] : "gpt2-small (124M)";
    int promptLength = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int newTokens = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    DjlRuntime.init();
    GptConfig config = GptConfig.preset(preset);
    Random random = new Random(1);
    int[] prompt = new int[promptLength];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = random.nextInt(50000);
    }
    try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device());
        Gpt2Model model = Gpt2Model.randomInit(config, 123, manager)) {
      Generator generator = new Generator(model);
      generator.generate(
          prompt, 8, config.contextLength(), Sampler.greedy(), StopTokens.NONE, true); // warm-up
      System.out.printf(
          "%s: %d-token prompt, %d new tokens, greedy, device %s%n",
          preset, promptLength, newTokens, DjlRuntime.device());
      for (boolean cache : new boolean[] {true, false}) {
        long start = System.nanoTime();
        Generation g =
            generator.generate(
                prompt,
                newTokens,
                config.contextLength(),
                Sampler.greedy(),
                StopTokens.NONE,
                cache);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "  %-13s %6.1f s, %6.1f tokens/s%n",
            cache ? "KV cache" : "no cache", seconds, g.generatedCount() / seconds);
      }
    }
  }
}
