package io.llmft.training.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.models.engine.Backprop;
import io.llmft.models.engine.DjlRuntime;
import io.llmft.models.engine.GradMode;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.models.gpt2.Gpt2Weights;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.training.AdamW;
import io.llmft.training.BookTrainer;
import io.llmft.training.Losses;
import io.llmft.training.data.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one training step's time goes, from libtorch's own profiler, as {@code scripts/benchmark.sh
 * profile} runs it. The step is profiled in its three phases (the forward pass with its loss, the
 * backward pass, the AdamW update), each after a warm-up step. Per phase: wall time, the operations
 * started from Java (each one JNI crossing into libtorch), every operation libtorch ran, the bytes
 * its allocator handed out, and the operations with the most self time (their own time, without the
 * operations they called).
 *
 * <p>Arguments: preset or shape "emb_dim,n_layers,n_heads,context" ("gpt2-small (124M)"), batch
 * (8), tokens per row (64), operations listed per phase (12), and "shapes" to tell operations apart
 * by their inputs' shapes.
 */
public final class StepProfile {
  private StepProfile() {}

  public static void main(String[] args) throws IOException {
    GptConfig config = TrainStepBenchmark.config(args.length > 0 ? args[0] : "gpt2-small (124M)");
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int length = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int top = args.length > 3 ? Integer.parseInt(args[3]) : 12;
    boolean byShape = args.length > 4 && args[4].equals("shapes");
    DjlRuntime.init();
    Batch data = LimitsBenchmark.randomBatch(config, batch, length);
    Path dir = Files.createTempDirectory("step-profile");
    try (NDManager manager = NDManager.newBaseManager(DjlRuntime.device());
        Gpt2Model model = Gpt2Model.builder(Gpt2Weights.randomInit(config, 123, manager)).build()) {
      model.parameters().values().forEach(p -> p.setRequiresGradient(true));
      BookTrainer trainer = new BookTrainer(model);
      Backprop backprop = Backprop.load(manager);
      Map<String, NDArray> gradients = new LinkedHashMap<>();
      try (AdamW optimizer = new AdamW(model.parameters(), 5e-5, 0.1, manager);
          NDManager gradientArrays = manager.newSubManager()) {
        trainer.trainStep(data, optimizer); // warm-up: first-run allocations, graph optimization
        trainer.trainStep(data, optimizer);
        List<Phase> phases = new ArrayList<>();
        JniUtils.setGradMode(true);
        try (NDScope scope = new NDScope()) {
          NDArray[] loss = new NDArray[1];
          phases.add(
              profile(
                  "forward and loss",
                  dir,
                  byShape,
                  () -> loss[0] = Losses.batchLoss(model, data, manager)));
          phases.add(
              profile(
                  "backward",
                  dir,
                  byShape,
                  () ->
                      gradients.putAll(
                          backprop.gradients(loss[0], model.parameters(), gradientArrays))));
        } finally {
          GradMode.disable();
        }
        phases.add(
            profile("AdamW", dir, byShape, () -> optimizer.step(model.parameters(), gradients)));
        System.out.printf(
            "one training step of %d layers x %d, batch %d x %d (wall times include the profiler's"
                + " own cost)%n%n",
            config.nLayers(), config.embDim(), batch, length);
        print(phases, top);
      }
    } finally {
      deleteTree(dir);
    }
  }

  /** Per phase a line of totals, then each phase's operations with the most self time. */
  static void print(List<Phase> phases, int top) {
    System.out.println(
        "| phase | wall ms | operations Java started (JNI crossings) | operations libtorch ran |"
            + " autograd nodes | allocated MB |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    for (Phase p : phases) {
      System.out.printf(
          "| %s | %.0f | %d | %d | %d | %.0f |%n",
          p.name, p.wallMs, p.topLevel, p.operations, p.autogradNodes, p.allocatedBytes / 1e6);
    }
    for (Phase p : phases) {
      System.out.printf("%n%s, self time by operation:%n", p.name);
      System.out.println("| operation | self ms | calls |");
      System.out.println("| --- | --- | --- |");
      p.selfTimes.entrySet().stream()
          .sorted(Comparator.comparingDouble((Map.Entry<String, Op> e) -> -e.getValue().selfUs))
          .limit(top)
          .forEach(
              e ->
                  System.out.printf(
                      "| %s | %.1f | %d |%n",
                      e.getKey(), e.getValue().selfUs / 1000, e.getValue().calls));
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  /** Self time and calls of one operation name. */
  static final class Op {
    double selfUs;
    long calls;
  }

  record Phase(
      String name,
      double wallMs,
      long topLevel,
      long operations,
      long autogradNodes,
      double allocatedBytes,
      Map<String, Op> selfTimes) {}

  static Phase profile(String name, Path dir, boolean byShape, Runnable work) throws IOException {
    Path trace = dir.resolve(name.replace(' ', '-') + ".json");
    JniUtils.startProfile(false, byShape, true);
    long start = System.nanoTime();
    work.run();
    double wallMs = (System.nanoTime() - start) / 1e6;
    JniUtils.stopProfile(trace.toString());
    return summarize(name, wallMs, new ObjectMapper().readTree(trace.toFile()), byShape);
  }

  /**
   * Nests each thread's events by time (an event inside another's span is its callee), so an
   * operation's self time is its duration less its direct callees'; the outermost events of the
   * thread that ran the Java code are the calls from Java.
   */
  static Phase summarize(String name, double wallMs, JsonNode events, boolean byShape) {
    Map<Long, List<JsonNode>> byThread = new HashMap<>();
    for (JsonNode e : events) {
      if (e.path("name").asText().startsWith("[memory]")) {
        continue;
      }
      byThread.computeIfAbsent(e.path("tid").asLong(), t -> new ArrayList<>()).add(e);
    }
    Map<String, Op> ops = new HashMap<>();
    long operations = 0;
    long autogradNodes = 0;
    long topLevel = 0;
    double allocated = 0;
    long busiestThread = -1;
    int busiest = -1;
    for (Map.Entry<Long, List<JsonNode>> t : byThread.entrySet()) {
      if (t.getValue().size() > busiest) {
        busiest = t.getValue().size();
        busiestThread = t.getKey();
      }
    }
    for (Map.Entry<Long, List<JsonNode>> t : byThread.entrySet()) {
      List<JsonNode> list = t.getValue();
      list.sort(
          Comparator.comparingDouble((JsonNode e) -> e.path("ts").asDouble())
              .thenComparingDouble(e -> -e.path("dur").asDouble()));
      List<double[]> open = new ArrayList<>(); // {end, index}
      double[] childUs = new double[list.size()];
      int[] parent = new int[list.size()];
      for (int i = 0; i < list.size(); i++) {
        double ts = list.get(i).path("ts").asDouble();
        double end = ts + list.get(i).path("dur").asDouble();
        while (!open.isEmpty() && open.get(open.size() - 1)[0] <= ts) {
          open.remove(open.size() - 1);
        }
        parent[i] = open.isEmpty() ? -1 : (int) open.get(open.size() - 1)[1];
        if (parent[i] >= 0) {
          childUs[parent[i]] += list.get(i).path("dur").asDouble();
        }
        open.add(new double[] {end, i});
      }
      for (int i = 0; i < list.size(); i++) {
        JsonNode e = list.get(i);
        String key = e.path("name").asText() + (byShape ? " " + e.path("shape") : "");
        Op op = ops.computeIfAbsent(key, n -> new Op());
        op.selfUs += e.path("dur").asDouble() - childUs[i];
        op.calls++;
        if (e.path("name").asText().startsWith("autograd::engine::evaluate_function")) {
          autogradNodes++;
        } else {
          operations++;
        }
        if (parent[i] < 0) {
          allocated += Math.max(0, bytes(e.path("cpu mem").asText()));
          if (t.getKey() == busiestThread
              && !e.path("name").asText().startsWith("autograd::engine::")) {
            topLevel++;
          }
        }
      }
    }
    return new Phase(name, wallMs, topLevel, operations, autogradNodes, allocated, ops);
  }

  /** The profiler's memory figure, "12.50 Mb" or "-3 b", in bytes. */
  static double bytes(String text) {
    String[] parts = text.trim().split(" ");
    double value = Double.parseDouble(parts[0]);
    return switch (parts.length > 1 ? parts[1] : "b") {
      case "Kb" -> value * 1024;
      case "Mb" -> value * 1024 * 1024;
      case "Gb" -> value * 1024 * 1024 * 1024;
      default -> value;
    };
  }
}
