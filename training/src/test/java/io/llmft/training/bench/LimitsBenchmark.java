package io.llmft.training.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llmft.models.engine.Backprop;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.engine.GradMode;
import io.llmft.models.engine.NativeAllocator;
import io.llmft.models.engine.NativeBf16;
import io.llmft.models.engine.OneDnnLinear;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.Gpt2Weights;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.serving.generate.Generation;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.llmft.training.AdamW;
import io.llmft.training.BookTrainer;
import io.llmft.training.Losses;
import io.llmft.training.data.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * How fast the training step and decoding are against what this machine can do, as {@code
 * scripts/benchmark.sh limits} runs it. Not a test: the table goes to the README.
 *
 * <ul>
 *   <li>the fp32 matrix-multiply rate through libtorch at the step's own products: for the four
 *       projections of a block and the output head at {@code B*T} rows, the forward product and the
 *       two of the backward pass (input and weight gradients, over the transposed views autograd
 *       passes); the rate at the forward products alone in parentheses;
 *   <li>the streaming read bandwidth (libtorch summing a 512 MiB array);
 *   <li>per config: the training step (forward, backward, AdamW; the fastest of the timed steps, as
 *       each product is the fastest of its repetitions), its FLOPs counted as three forward passes
 *       — blocks {@code 24*L*d^2} per position, attention scores and mixing {@code 4*T*d*L} per
 *       position, the head {@code 2*d*V} per position with a target — and the achieved share of the
 *       multiply rate, each step against the rate measured right after it (median and range);
 *   <li>greedy decoding at batch 1 with the KV cache (the best of three runs): tokens/s, and the
 *       bytes each token must read (every block weight and the head, fp32) as a share of the
 *       bandwidth.
 * </ul>
 *
 * Each limit is measured again after the work it bounds and the higher value kept, so that a limit
 * measured while the shared machine was slow cannot inflate a share.
 *
 * <p>Arguments: presets, comma-separated ("gpt2-small (124M),gpt2-medium (355M)"), batch (8),
 * tokens per row (64), timed steps (5), new tokens decoded (64).
 */
public final class LimitsBenchmark {
  private LimitsBenchmark() {}

  public static void main(String[] args) throws IOException {
    List<String> presets =
        List.of((args.length > 0 ? args[0] : "gpt2-small (124M),gpt2-medium (355M)").split(","));
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int length = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    int newTokens = args.length > 4 ? Integer.parseInt(args[4]) : 64;
    DjlRuntime.init();
    System.out.printf(
        "machine: %s, CPU flags %s, %d cores, %s %s, device %s; bf16: %s; native allocator: %s%n",
        cpuModel(),
        cpuFlags(),
        Runtime.getRuntime().availableProcessors(),
        Engine.getInstance().getEngineName(),
        Engine.getInstance().getVersion(),
        DjlRuntime.device(),
        NativeBf16.of(DjlRuntime.device()).reason(),
        NativeAllocator.current().label());
    double bandwidth = readBandwidth();
    System.out.printf(
        "streaming read bandwidth: %.1f GB/s (decoding's share uses the higher of this and the"
            + " bandwidth measured after it)%n",
        bandwidth / 1e9);
    System.out.println();
    System.out.println(
        "| config | matmul rate at the step's products (forward products only, the higher of before and after the steps) | step | step FLOPs | achieved | share of matmul rate: median, range of the steps (best step against the forward-only rate) | decode tokens/s | bytes/token | share of bandwidth |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    StringBuilder breakdown = new StringBuilder();
    for (String preset : presets) {
      GptConfig c = GptConfig.preset(preset.trim());
      double forwardRate = matmulRate(c, batch * length, false);
      StepTimes times = stepTimes(c, batch, length, steps);
      forwardRate = Math.max(forwardRate, matmulRate(c, batch * length, false));
      double rate = times.rate();
      double stepSeconds = times.step();
      double flops = stepFlops(c, batch, length);
      double[] shares = times.shares(flops);
      double decode = decodeTokensPerSecond(c, newTokens);
      // measured again after decoding and the better kept: a share is never inflated by a
      // bandwidth measured while the machine was slow
      bandwidth = Math.max(bandwidth, readBandwidth());
      double bytes = 4.0 * weightsPerPosition(c); // fp32: every weight a token multiplies
      System.out.printf(
          "| %s | %.0f GFLOP/s (%.0f) | %.0f ms | %.0f GFLOP | %.0f GFLOP/s | %.0f%%, %.0f–%.0f%% (%.0f%%) | %.1f | %.0f MB | %.0f%% |%n",
          preset.trim(),
          rate / 1e9,
          forwardRate / 1e9,
          stepSeconds * 1000,
          flops / 1e9,
          flops / stepSeconds / 1e9,
          100 * shares[shares.length / 2],
          100 * shares[0],
          100 * shares[shares.length - 1],
          100 * flops / stepSeconds / forwardRate,
          decode,
          bytes / 1e6,
          100 * decode * bytes / bandwidth);
      breakdown.append(breakdown(c, batch * length, rate, times, decode));
    }
    System.out.println();
    System.out.println("where the time goes (ms):");
    System.out.println(
        "| config | step | forward (no grad) | AdamW | backward and the rest | matrix products at the measured rate | decode token | its matrix-vector products alone (their read rate) |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
    System.out.print(breakdown);
  }

  /**
   * One row of the breakdown: the step split into a forward pass without gradients, AdamW alone and
   * the rest (backward, autograd, the loss), against the time the step's matrix products take at
   * the measured rate; a decoded token against its matrix-vector products alone ({@link
   * #tokenProductSeconds}), timed apart: on a drifting machine their difference is not the rest of
   * a token, which {@code benchmark.sh profile decode} measures in one run.
   */
  static String breakdown(GptConfig c, int rows, double rate, StepTimes times, double decode) {
    double products = 3 * 2.0 * rows * weightsPerPosition(c) / rate;
    double token = 1 / decode;
    double gemv = tokenProductSeconds(c);
    return String.format(
        "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f (%.1f GB/s) |%n",
        c.nLayers() + " layers x " + c.embDim(),
        times.step() * 1000,
        times.forward() * 1000,
        times.optimizer() * 1000,
        (times.step() - times.forward() - times.optimizer()) * 1000,
        products * 1000,
        token * 1000,
        gemv * 1000,
        4.0 * weightsPerPosition(c) / gemv / 1e9);
  }

  /**
   * Each timed training step's seconds and the multiply rate measured right after it, and the
   * fastest forward pass without gradients and AdamW update.
   */
  record StepTimes(double[] steps, double[] rates, double forward, double optimizer) {
    double step() {
      return Arrays.stream(steps).min().orElseThrow();
    }

    double rate() {
      return Arrays.stream(rates).max().orElseThrow();
    }

    /**
     * Each step's achieved rate against the rate measured right after it, sorted: a step and its
     * limit are measured under the same load of the shared machine.
     */
    double[] shares(double flops) {
      double[] shares = new double[steps.length];
      for (int i = 0; i < steps.length; i++) {
        shares[i] = flops / steps[i] / rates[i];
      }
      Arrays.sort(shares);
      return shares;
    }
  }

  static StepTimes stepTimes(GptConfig c, int batch, int length, int steps) {
    Batch data = randomBatch(c, batch, length);
    try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device());
        Gpt2Model model = Gpt2Model.builder(Gpt2Weights.randomInit(c, 123, manager)).build()) {
      model.parameters().values().forEach(p -> p.setRequiresGradient(true));
      BookTrainer trainer = new BookTrainer(model);
      try (AdamW optimizer = new AdamW(model.parameters(), 5e-5, 0.1, manager)) {
        trainer.trainStep(data, optimizer); // warm-up
        trainer.batchLoss(data);
        double[] stepSeconds = new double[steps];
        double[] rates = new double[steps];
        for (int i = 0; i < steps; i++) {
          stepSeconds[i] = bestSeconds(1, () -> trainer.trainStep(data, optimizer));
          rates[i] = matmulRate(c, batch * length, true);
        }
        // the gradients of the batch, as a step hands them to the update
        Map<String, NDArray> gradients =
            Backprop.load(manager)
                .run(() -> Losses.batchLoss(model, data, manager), model.parameters(), manager)
                .gradients();
        double forward = bestSeconds(steps, () -> trainer.batchLoss(data));
        double update = bestSeconds(steps, () -> optimizer.step(model.parameters(), gradients));
        return new StepTimes(stepSeconds, rates, forward, update);
      }
    }
  }

  /**
   * The fastest of {@code times} runs: on a shared machine a run is only ever slowed by others, so
   * the best one is the closest to what the code itself costs (the products are timed the same).
   */
  private static double bestSeconds(int times, Runnable work) {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < times; i++) {
      long start = System.nanoTime();
      work.run();
      best = Math.min(best, (System.nanoTime() - start) / 1e9);
    }
    return best;
  }

  /** The weights a position multiplies: the four block projections per layer and the head. */
  static double weightsPerPosition(GptConfig c) {
    return 12.0 * c.nLayers() * c.embDim() * c.embDim() + (double) c.embDim() * c.vocabSize();
  }

  static Batch randomBatch(GptConfig c, int batch, int length) {
    Random random = new Random(1);
    long[][] inputs = new long[batch][length];
    long[][] targets = new long[batch][length];
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < length; t++) {
        inputs[b][t] = random.nextInt(c.vocabSize());
        targets[b][t] = random.nextInt(c.vocabSize());
      }
    }
    return new Batch(inputs, targets);
  }

  /** Training FLOPs of one step: three forward passes (forward, and backward at twice that). */
  static double stepFlops(GptConfig c, int batch, int length) {
    double d = c.embDim();
    double positions = (double) batch * length;
    double blocks = 24.0 * c.nLayers() * d * d * positions;
    double attention = 4.0 * length * d * c.nLayers() * positions;
    double head =
        2.0 * d * c.vocabSize() * positions; // every position of a random batch has a target
    return 3 * (blocks + attention + head);
  }

  /**
   * fp32 FLOP/s of libtorch's matrix products at the step's own shapes and layouts, weighted by
   * their FLOPs: per weight the forward product and, when {@code withBackward}, the two products
   * autograd runs for it (the input's gradient and the weight's).
   */
  static double matmulRate(GptConfig c, int rows, boolean withBackward) {
    return (withBackward ? 3 : 1)
        * 2.0
        * rows
        * weightsPerPosition(c)
        / productSeconds(c, rows, withBackward);
  }

  /**
   * Seconds of the products of {@code rows} positions with every block projection of every layer
   * and the head, each product timed for at least 0.2 s. A projection's weight W is (K, N), the
   * head's is stored (V, C) and used transposed. Forward: {@code x W}; backward, as autograd runs
   * it: {@code dY W^T} and {@code x^T dY}, over transposed views as autograd passes them.
   */
  static double productSeconds(GptConfig c, int rows, boolean withBackward) {
    int d = c.embDim();
    long[][] shapes = {{d, 3L * d}, {d, d}, {d, 4L * d}, {4L * d, d}, {d, c.vocabSize()}};
    double seconds = 0;
    GradMode.disable();
    try (NDManager m = NDManager.newBaseManager(DjlRuntime.device())) {
      for (long[] kn : shapes) {
        boolean head = kn[1] == c.vocabSize();
        NDArray x = m.randomNormal(new Shape(rows, kn[0]));
        NDArray w =
            head
                ? m.randomNormal(new Shape(kn[1], kn[0])).transpose()
                : m.randomNormal(new Shape(kn[0], kn[1]));
        NDArray dy = m.randomNormal(new Shape(rows, kn[1]));
        double each = productSeconds(() -> x.matMul(w));
        if (withBackward) {
          each +=
              productSeconds(() -> dy.matMul(w.transpose()))
                  + productSeconds(() -> x.transpose().matMul(dy));
        }
        seconds += (head ? 1 : c.nLayers()) * each;
      }
    }
    return seconds;
  }

  /**
   * Seconds of a decoded token's matrix-vector products as decoding runs them: every layer's own
   * projections in turn, then the head (on the CPU oneDNN's inner product over each weight stored
   * (out, in), elsewhere libtorch's product), so that each weight comes from memory as in decoding,
   * not from the cache of the repetition before; the fastest of 5 passes after a warm-up.
   */
  static double tokenProductSeconds(GptConfig c) {
    int d = c.embDim();
    long[][] outIn = {{3L * d, d}, {d, d}, {4L * d, d}, {d, 4L * d}};
    GradMode.disable();
    try (NDManager m = NDManager.newBaseManager(DjlRuntime.device())) {
      List<Supplier<NDArray>> products = new ArrayList<>();
      for (int layer = 0; layer <= c.nLayers(); layer++) {
        for (long[] shape : layer < c.nLayers() ? outIn : new long[][] {{c.vocabSize(), d}}) {
          NDArray w = m.randomNormal(new Shape(shape));
          NDArray x = m.randomNormal(new Shape(1, shape[1]));
          OneDnnLinear oneDnn = OneDnnLinear.loadOnCpu(w);
          products.add(oneDnn == null ? () -> x.matMul(w.transpose()) : () -> oneDnn.apply(x));
        }
      }
      double best = Double.MAX_VALUE;
      for (int pass = 0; pass < 6; pass++) {
        long start = System.nanoTime();
        for (Supplier<NDArray> product : products) {
          product.get().close();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        best = pass == 0 ? best : Math.min(best, seconds); // the first pass warms up
      }
      return best;
    }
  }

  /**
   * The fastest of a product over at least 0.2 s of repetitions (and at least 5), after a warm-up.
   */
  private static double productSeconds(Supplier<NDArray> product) {
    product.get().close();
    double best = Double.MAX_VALUE;
    long start = System.nanoTime();
    for (int reps = 0; reps < 5 || System.nanoTime() - start < 200_000_000L; reps++) {
      long t = System.nanoTime();
      product.get().close(); // libtorch's CPU kernels return when the product is done
      best = Math.min(best, (System.nanoTime() - t) / 1e9);
    }
    return best;
  }

  /** Bytes per second libtorch reads when it sums a 512 MiB fp32 array. */
  static double readBandwidth() {
    GradMode.disable();
    try (NDManager m = NDManager.newBaseManager(DjlRuntime.device())) {
      NDArray a = m.ones(new Shape(128L * 1024 * 1024));
      a.sum().getFloat(); // warm-up, and the pages are touched
      double best = 0;
      for (int i = 0; i < 8; i++) {
        long start = System.nanoTime();
        a.sum().getFloat();
        best = Math.max(best, a.getShape().size() * 4.0 / ((System.nanoTime() - start) / 1e9));
      }
      return best;
    }
  }

  static double decodeTokensPerSecond(GptConfig c, int newTokens) {
    Random random = new Random(1);
    int[] prompt = new int[16];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = random.nextInt(50000);
    }
    try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device());
        Gpt2Model model = Gpt2Model.randomInit(c, 123, manager)) {
      Generator generator = new Generator(model);
      generator.generate(
          prompt, 8, c.contextLength(), Sampler.greedy(), StopTokens.NONE, true); // warm-up
      double best = 0;
      for (int run = 0; run < 3; run++) {
        long start = System.nanoTime();
        Generation g =
            generator.generate(
                prompt, newTokens, c.contextLength(), Sampler.greedy(), StopTokens.NONE, true);
        best = Math.max(best, g.generatedCount() / ((System.nanoTime() - start) / 1e9));
      }
      return best;
    }
  }

  private static String cpuModel() throws IOException {
    Path info = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(info)) {
      return System.getProperty("os.arch");
    }
    return Files.readString(info)
        .lines()
        .filter(l -> l.startsWith("model name"))
        .findFirst()
        .map(l -> l.substring(l.indexOf(':') + 1).trim())
        .orElse(System.getProperty("os.arch"));
  }

  /** The flags that decide the kernels: the AVX generations, FMA, bf16 and AMX. */
  private static Set<String> cpuFlags() {
    Set<String> wanted =
        Set.of(
            "avx", "avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_tile");
    Set<String> shown = new TreeSet<>(NativeBf16.cpuFlags());
    shown.retainAll(wanted);
    return shown;
  }
}
