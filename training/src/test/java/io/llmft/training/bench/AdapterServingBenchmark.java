package io.llmft.training.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llmft.models.Adapter;
import io.llmft.models.LoraAdapters;
import io.llmft.models.LoraSpec;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.gpt2.Gpt2Keys;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.serving.DecodeLoop;
import io.llmft.serving.DecodeRequest;
import io.llmft.serving.TokenSink;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many adapters on one base against one model, as {@code scripts/benchmark.sh adapters} runs it:
 * CLIENTS concurrent greedy requests in one decode loop, spread over ADAPTERS LoRA adapters of one
 * random-init base, against the same requests to one model without adapters (what a merged model
 * computes: the same shapes), and against every request on one adapter (the adapted path without
 * the rows split by adapter). Prints tokens/s of each and the memory each way costs. Arguments:
 * preset ("gpt2-small (124M)"), clients (16), adapters (4), rank (16), new tokens (64).
 */
public final class AdapterServingBenchmark {
  private AdapterServingBenchmark() {}

  public static void main(String[] args) throws Exception {
    String preset = args.length > 0 ? args[0] : "gpt2-small (124M)";
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int adapterCount = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int rank = args.length > 3 ? Integer.parseInt(args[3]) : 16;
    int newTokens = args.length > 4 ? Integer.parseInt(args[4]) : 64;
    DjlRuntime.init();
    GptConfig config = GptConfig.preset(preset);
    try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device());
        Gpt2Model base = Gpt2Model.randomInit(config, 123, manager)) {
      List<Adapter> adapters = new ArrayList<>();
      for (int k = 0; k < adapterCount; k++) {
        adapters.add(randomAdapter(config, rank, k, manager));
      }
      List<Adapter> none = List.of(Adapter.NONE);
      long baseBytes = base.parameterCount() * 4;
      long adapterBytes = Gpt2Keys.adapterTargets(config).parameterCount(rank) * 4;
      System.out.printf(
          "%s, %d clients, %d new tokens each, greedy, device %s%n",
          preset, clients, newTokens, DjlRuntime.device());
      System.out.printf(
          "  memory: base %.0f MiB + %d rank-%d adapters of %.1f MiB = %.0f MiB (as %d merged"
              + " models: %.0f MiB)%n",
          baseBytes / 1048576.0,
          adapterCount,
          rank,
          adapterBytes / 1048576.0,
          (baseBytes + adapterCount * adapterBytes) / 1048576.0,
          adapterCount,
          adapterCount * baseBytes / 1048576.0);
      run(base, none, clients, 8); // warm-up
      run(base, adapters, clients, 8);
      for (int round = 0; round < 2; round++) {
        report("one model", run(base, none, clients, newTokens));
        report("1 adapter, one base", run(base, adapters.subList(0, 1), clients, newTokens));
        report(adapterCount + " adapters, one base", run(base, adapters, clients, newTokens));
      }
    }
  }

  private static void report(String what, double tokensPerSecond) {
    System.out.printf("  %-24s %7.1f tokens/s%n", what, tokensPerSecond);
  }

  /** The clients' requests at once, request i on adapter i mod n; returns tokens/s. */
  private static double run(Gpt2Model base, List<Adapter> adapters, int clients, int newTokens)
      throws Exception {
    DecodeLoop loop =
        new DecodeLoop(base, new DecodeLoop.Limits(clients, clients, 4096, 1000, 600_000), "bench");
    Random random = new Random(7);
    AtomicLong tokens = new AtomicLong();
    List<CompletableFuture<TokenSink.Ending>> done = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < clients; i++) {
      int[] prompt = new int[32];
      for (int j = 0; j < prompt.length; j++) {
        prompt[j] = random.nextInt(50000);
      }
      CompletableFuture<TokenSink.Ending> ended = new CompletableFuture<>();
      done.add(ended);
      loop.submit(
          new DecodeRequest(
              prompt,
              newTokens,
              Sampler.greedy(),
              StopTokens.NONE,
              adapters.get(i % adapters.size())),
          new TokenSink() {
            @Override
            public boolean accept(int token) {
              tokens.incrementAndGet();
              return true;
            }

            @Override
            public void ended(Ending why, Throwable error) {
              if (error != null) {
                ended.completeExceptionally(error);
              } else {
                ended.complete(why);
              }
            }
          });
    }
    for (CompletableFuture<TokenSink.Ending> f : done) {
      f.get();
    }
    return tokens.get() / ((System.nanoTime() - start) / 1e9);
  }

  /** LoRA adapters on every projection of the book's list, their B matrices random. */
  private static LoraAdapters randomAdapter(GptConfig config, int rank, int seed, NDManager m) {
    LoraAdapters lora =
        LoraAdapters.create(Gpt2Keys.adapterTargets(config), new LoraSpec(rank, 1f, seed), m);
    Random random = new Random(seed);
    for (Map.Entry<String, NDArray> e : lora.parameters().entrySet()) {
      if (e.getKey().endsWith("lora_B")) {
        float[] values = new float[Math.toIntExact(e.getValue().size())];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (random.nextGaussian() * 0.01);
        }
        e.getValue().set(values);
      }
    }
    return lora;
  }
}
