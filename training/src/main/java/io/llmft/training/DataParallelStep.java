package io.llmft.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.llmft.models.LanguageModel;
import io.llmft.models.engine.Backprop;
import io.llmft.models.engine.GradMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Data parallel training over replicas: the same model (same config, weights and LoRA adapters) on
 * different devices, the first one being the model that is evaluated, optimized and saved. Each
 * step splits the batch's rows among the replicas; each computes, on its own thread, the
 * objective's loss of its rows (with the objective's parts on its device, such as DPO's reference)
 * weighted by their share of the whole batch ({@link BatchSplit}) and its gradients; the gradients
 * are summed into the first replica, the optimizer updates it and its weights are copied to the
 * others. That is the single-device step up to float rounding.
 */
final class DataParallelStep<B> implements TrainingStep<B> {
  private final LanguageModel model;
  private final List<LanguageModel> replicas;
  private final List<? extends Objective<B>> objectives;
  private final BatchSplit<B> split;
  private final ExecutorService replicaThreads;
  private final List<Backprop> backprops;

  /**
   * @param objectives one per replica, on its device
   */
  DataParallelStep(
      List<LanguageModel> replicas, List<? extends Objective<B>> objectives, BatchSplit<B> split) {
    if (objectives.size() != replicas.size()) {
      throw new IllegalArgumentException("one objective per replica");
    }
    this.replicas = replicas;
    this.objectives = objectives;
    this.split = split;
    this.model = replicas.get(0);
    this.backprops = replicas.stream().map(r -> Backprop.load(r.manager())).toList();
    this.replicaThreads = replicaThreads(replicas.size());
  }

  /** One thread per replica, which end when the trainer has been idle for a minute. */
  private static ExecutorService replicaThreads(int count) {
    ThreadPoolExecutor threads =
        new ThreadPoolExecutor(
            count,
            count,
            1,
            TimeUnit.MINUTES,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "replica-step");
              t.setDaemon(true);
              return t;
            });
    threads.allowCoreThreadTimeOut(true);
    return threads;
  }

  @Override
  public void prepare() {
    updated();
    for (LanguageModel replica : replicas) {
      for (NDArray p : replica.trainableParameters().values()) {
        p.setRequiresGradient(true);
      }
    }
  }

  /** Each replica's share of the loss and gradients, summed into the first replica's. */
  @Override
  public BatchGradients backward(B batch) {
    int size = split.size(batch);
    int rowsEach = (size + replicas.size() - 1) / replicas.size();
    List<CompletableFuture<BatchGradients>> shares = new ArrayList<>();
    for (int r = 0; r < replicas.size() && r * rowsEach < size; r++) {
      B rows = split.rows(batch, r * rowsEach, Math.min(size, (r + 1) * rowsEach));
      double share = split.share(batch, rows);
      if (share == 0) {
        continue; // only padding or masked instructions here: no loss, no gradient
      }
      int replica = r;
      shares.add(
          CompletableFuture.supplyAsync(() -> share(replica, rows, (float) share), replicaThreads));
    }
    List<BatchGradients> parts = new ArrayList<>();
    RuntimeException failure = null;
    for (CompletableFuture<BatchGradients> share : shares) {
      try {
        parts.add(share.join()); // every share, so that none is left unreleased by a failure
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      parts.forEach(BatchGradients::close);
      throw failure;
    }
    return sum(parts);
  }

  /** One replica's rows: the objective's loss of them, times their share of the batch. */
  private BatchGradients share(int r, B rows, float weight) {
    LanguageModel replica = replicas.get(r);
    NDManager m = replica.manager();
    var loss = objectives.get(r).loss(replica, rows);
    return BatchGradients.of(
        backprops.get(r),
        () -> loss.get().mul(m.full(new Shape(), weight, DataType.FLOAT32)),
        replica.trainableParameters(),
        m);
  }

  /**
   * The shares' losses and gradients summed on the first replica's device, into arrays of its own
   * (the first share may come from another replica when the first replica's rows had no target).
   */
  private BatchGradients sum(List<BatchGradients> parts) {
    GradMode.disable();
    NDManager arrays = model.manager().newSubManager();
    double loss = 0;
    Map<String, NDArray> sums = new LinkedHashMap<>();
    try {
      for (BatchGradients part : parts) {
        loss += part.loss();
        for (Map.Entry<String, NDArray> g : part.gradients().entrySet()) {
          NDArray here = g.getValue().toDevice(arrays.getDevice(), false); // itself when there
          here.attach(arrays);
          NDArray sum = sums.get(g.getKey());
          // out of place: the gradients are inference tensors (see Backprop)
          sums.put(g.getKey(), sum == null ? here : sum.add(here));
        }
      }
      return new BatchGradients(loss, sums, arrays);
    } catch (RuntimeException e) {
      arrays.close();
      throw e;
    } finally {
      parts.forEach(BatchGradients::close); // what was moved into arrays stays
    }
  }

  /** Copies the first replica's trainable weights into the others. */
  @Override
  public void updated() {
    GradMode.disable();
    for (LanguageModel replica : replicas.subList(1, replicas.size())) {
      for (Map.Entry<String, NDArray> e : model.trainableParameters().entrySet()) {
        try (NDScope scope = new NDScope()) {
          NDArray target = replica.trainableParameters().get(e.getKey());
          target.set(new NDIndex("..."), e.getValue().toDevice(target.getDevice(), false));
        }
      }
    }
  }
}
