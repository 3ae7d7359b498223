package io.llmft.training.bench;

import ai.djl.ndarray.NDManager;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Where greedy decoding's time goes at batch 1 with the KV cache, from libtorch's profiler, as
 * {@code scripts/benchmark.sh profile decode} runs it: the same table as {@link StepProfile}'s for
 * one generation of NEW tokens after a 16-token prompt, with the time per token.
 *
 * <p>Arguments: preset or shape ("gpt2-small (124M)"), new tokens (32), operations listed (15),
 * "shapes" to tell operations apart by their inputs' shapes.
 */
public final class DecodeProfile {
  private DecodeProfile() {}

  public static void main(String[] args) throws IOException {
    GptConfig config = TrainStepBenchmark.config(args.length > 0 ? args[0] : "gpt2-small (124M)");
    int newTokens = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int top = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    boolean byShape = args.length > 3 && args[3].equals("shapes");
    DjlRuntime.init();
    Random random = new Random(1);
    int[] prompt = new int[16];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = random.nextInt(50000);
    }
    Path dir = Files.createTempDirectory("decode-profile");
    try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device());
        Gpt2Model model = Gpt2Model.randomInit(config, 123, manager)) {
      Generator generator = new Generator(model);
      generator.generate(
          prompt, newTokens, config.contextLength(), Sampler.greedy(), StopTokens.NONE, true);
      StepProfile.Phase phase =
          StepProfile.profile(
              "decoding " + newTokens + " tokens",
              dir,
              byShape,
              () ->
                  generator.generate(
                      prompt,
                      newTokens,
                      config.contextLength(),
                      Sampler.greedy(),
                      StopTokens.NONE,
                      true));
      System.out.printf(
          "greedy decoding of %d layers x %d at batch 1, %d tokens after a 16-token prompt: %.1f ms"
              + " a token (with the profiler's own cost)%n%n",
          config.nLayers(), config.embDim(), newTokens, phase.wallMs() / newTokens);
      StepProfile.print(java.util.List.of(phase), top);
    } finally {
      StepProfile.deleteTree(dir);
    }
  }
}
