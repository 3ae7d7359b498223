package io.llmft.core.serve;

import ai.djl.ndarray.NDScope;
import io.llmft.core.engine.GradMode;
import io.llmft.core.generate.BatchInputs;
import io.llmft.core.model.Gpt2Model;
import io.llmft.core.model.KvCache;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching over one shared model: one thread decodes every running request together, one
 * matrix-matrix product per layer per token instead of one matrix-vector product per request.
 * Between two tokens, waiting requests join — their prompts prefilled together in one forward pass
 * of at most {@link Limits#prefillTokens} tokens, so the others wait at most one prefill — and
 * finished or cancelled ones leave.
 *
 * <p>All rows share one {@link KvCache} on a common timeline: a row's tokens sit at its last
 * columns, it keeps its own positions and never attends to the columns before its first, so each
 * row gets the tokens it would get alone (up to float rounding in the wider products). When the
 * rows that reached furthest back leave, the columns no row uses are dropped.
 *
 * <p>The thread starts with the first request and ends after {@link Limits#idle} without any.
 */
public final class DecodeLoop {
  /**
   * @param maxBatch rows decoded together
   * @param maxWaiting requests accepted while the batch is full; more are refused
   * @param prefillTokens prompt tokens prefilled in one pass (one prompt always fits)
   * @param idleMillis how long the thread waits for work before it ends
   */
  public record Limits(int maxBatch, int maxWaiting, int prefillTokens, long idleMillis) {}

  /**
   * What the loop has done: the largest batch it ran, its decode steps and prefills so far, and the
   * requests cancelled (their clients went away) while they waited or ran.
   */
  public record Stats(int largestBatch, long decodeSteps, long prefills, long cancelled) {
    Stats batch(int size) {
      return new Stats(Math.max(largestBatch, size), decodeSteps, prefills, cancelled);
    }

    Stats step() {
      return new Stats(largestBatch, decodeSteps + 1, prefills, cancelled);
    }

    Stats prefill() {
      return new Stats(largestBatch, decodeSteps, prefills + 1, cancelled);
    }

    Stats cancel() {
      return new Stats(largestBatch, decodeSteps, prefills, cancelled + 1);
    }
  }

  private final Gpt2Model model;
  private final Limits limits;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Deque<Ticket> waiting = new ArrayDeque<>();
  private Thread thread;
  private volatile Stats stats = new Stats(0, 0, 0, 0);

  /** Rows being decoded, in cache row order (the loop thread's own). */
  private final List<Row> rows = new ArrayList<>();

  public DecodeLoop(Gpt2Model model, Limits limits, String name) {
    this.model = model;
    this.limits = limits;
    this.name = name;
  }

  /** A submitted request: cancel it when its client goes away. */
  public final class Ticket {
    private final DecodeRequest request;
    private final TokenSink sink;
    private volatile boolean cancelled;

    private Ticket(DecodeRequest request, TokenSink sink) {
      this.request = request;
      this.sink = sink;
    }

    /** Ends the request before its next token (at once when it still waits). */
    public void cancel() {
      cancelled = true;
      boolean removed;
      lock.lock();
      try {
        removed = waiting.remove(this);
        if (removed) {
          stats = stats.cancel();
        }
        work.signalAll();
      } finally {
        lock.unlock();
      }
      if (removed) {
        sink.ended(TokenSink.Ending.CANCELLED, null);
      }
    }
  }

  /**
   * Queues a request; its tokens go to {@code sink} as they are made.
   *
   * @throws QueueFullException when {@link Limits#maxWaiting} requests wait already
   * @throws IllegalArgumentException when prompt and new tokens exceed the context window
   */
  public Ticket submit(DecodeRequest request, TokenSink sink) throws QueueFullException {
    int context = model.config().contextLength();
    if (request.prompt().length + request.maxNewTokens() > context) {
      throw new IllegalArgumentException(
          request.prompt().length
              + " prompt tokens and "
              + request.maxNewTokens()
              + " new ones exceed the model's context of "
              + context
              + " tokens");
    }
    Ticket ticket = new Ticket(request, sink);
    lock.lock();
    try {
      if (waiting.size() >= limits.maxWaiting()) {
        throw new QueueFullException(waiting.size());
      }
      waiting.add(ticket);
      if (thread == null) {
        thread = new Thread(this::run, "decode-loop-" + name);
        thread.setDaemon(true);
        thread.start();
      }
      work.signalAll();
    } finally {
      lock.unlock();
    }
    return ticket;
  }

  public Stats stats() {
    return stats;
  }

  /** Requests waiting to join. */
  public int waiting() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    GradMode.disable();
    try (KvCache cache = new KvCache(model.config().nLayers())) {
      while (true) {
        List<Ticket> joining = nextJoining();
        if (joining == null) {
          return; // idle: nothing running, nothing came
        }
        dropCancelled(cache);
        if (!joining.isEmpty()) {
          prefill(joining, cache);
        }
        if (!rows.isEmpty()) {
          decodeStep(cache);
        }
      }
    } catch (Throwable t) {
      failAll(t);
    }
  }

  /**
   * The requests that join before the next step (empty when none fit or none wait), or null when
   * the loop has had nothing to do for {@link Limits#idleMillis}: the thread then ends.
   */
  private List<Ticket> nextJoining() throws InterruptedException {
    lock.lock();
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.idleMillis());
      while (rows.isEmpty() && waiting.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          thread = null;
          return null;
        }
        work.awaitNanos(left);
      }
      List<Ticket> joining = new ArrayList<>();
      int tokens = 0;
      while (!waiting.isEmpty() && rows.size() + joining.size() < limits.maxBatch()) {
        int next = waiting.peek().request.prompt().length;
        if (!joining.isEmpty() && tokens + next > limits.prefillTokens()) {
          break;
        }
        tokens += next;
        joining.add(waiting.poll());
      }
      return joining;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The joining prompts, left-padded to the longest, in one forward pass; then their first token.
   */
  private void prefill(List<Ticket> joining, KvCache cache) {
    int k = joining.size();
    int width = joining.stream().mapToInt(t -> t.request.prompt().length).max().orElseThrow();
    int[][] prompts = new int[k][];
    int[] padding = new int[k];
    for (int i = 0; i < k; i++) {
      prompts[i] = joining.get(i).request.prompt();
      padding[i] = width - prompts[i].length;
    }
    try (NDScope scope = new NDScope();
        KvCache fresh = new KvCache(model.config().nLayers())) {
      float[] logits = BatchInputs.of(prompts, padding, 0, width).lastLogits(model, fresh);
      int vocab = model.config().vocabSize();
      List<Row> joined = new ArrayList<>();
      List<Long> keep = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        Row row = new Row(joining.get(i), padding[i]);
        if (row.next(Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab))) {
          joined.add(row);
          keep.add((long) i);
        }
      }
      if (joined.isEmpty()) {
        return;
      }
      if (joined.size() < k) {
        fresh.keepRows(keep.stream().mapToLong(Long::longValue).toArray());
      }
      int before = cache.length();
      int shift = cache.appendRows(fresh);
      rows.forEach(r -> r.start += shift);
      for (Row row : joined) {
        row.start += Math.max(before, width) - width;
        rows.add(row);
      }
    }
    stats = stats.prefill().batch(rows.size());
  }

  /** One token for every running row. */
  private void decodeStep(KvCache cache) {
    int b = rows.size();
    int[][] tokens = new int[b][];
    int[] padding = new int[b];
    int past = cache.length();
    for (int r = 0; r < b; r++) {
      // the cache holds all of a row's tokens but its last, from column `start` on: the last one
      // is fed at column `past`
      tokens[r] = rows.get(r).tokens;
      padding[r] = rows.get(r).start;
    }
    float[] logits;
    try (NDScope scope = new NDScope()) {
      logits = BatchInputs.of(tokens, padding, past, 1).lastLogits(model, cache);
    }
    stats = stats.step().batch(b);
    int vocab = model.config().vocabSize();
    List<Boolean> going = new ArrayList<>(b);
    for (int r = 0; r < b; r++) {
      going.add(rows.get(r).next(Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab)));
    }
    keepOnly(going, cache);
  }

  private void dropCancelled(KvCache cache) {
    if (rows.stream().anyMatch(r -> r.ticket.cancelled)) {
      List<Boolean> going = new ArrayList<>(rows.size());
      for (Row row : rows) {
        if (row.ticket.cancelled) {
          stats = stats.cancel();
          row.ticket.sink.ended(TokenSink.Ending.CANCELLED, null);
        }
        going.add(!row.ticket.cancelled);
      }
      keepOnly(going, cache);
    }
  }

  /** Removes the rows that ended from the batch and the cache, and the columns none uses. */
  private void keepOnly(List<Boolean> going, KvCache cache) {
    if (!going.contains(false)) {
      return;
    }
    List<Row> still = new ArrayList<>();
    List<Long> keep = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      if (going.get(r)) {
        still.add(rows.get(r));
        keep.add((long) r);
      }
    }
    rows.clear();
    rows.addAll(still);
    if (rows.isEmpty()) {
      cache.clear();
      return;
    }
    try (NDScope scope = new NDScope()) {
      cache.keepRows(keep.stream().mapToLong(Long::longValue).toArray());
      int unused = rows.stream().mapToInt(r -> r.start).min().orElseThrow();
      cache.dropLeadingColumns(unused);
      rows.forEach(r -> r.start -= unused);
    }
  }

  private void failAll(Throwable t) {
    List<Ticket> failed = new ArrayList<>();
    rows.forEach(r -> failed.add(r.ticket));
    rows.clear();
    lock.lock();
    try {
      failed.addAll(waiting);
      waiting.clear();
      thread = null;
    } finally {
      lock.unlock();
    }
    for (Ticket ticket : failed) {
      try {
        ticket.sink.ended(TokenSink.Ending.FAILED, t);
      } catch (RuntimeException e) {
        t.addSuppressed(e);
      }
    }
  }

  /** A request being decoded: its tokens so far and where they start in the cache. */
  private static final class Row {
    final Ticket ticket;
    final int[] tokens;
    int length;
    int generated;

    /** The column of its first token in the shared cache. */
    int start;

    Row(Ticket ticket, int padding) {
      this.ticket = ticket;
      int[] prompt = ticket.request.prompt();
      this.tokens = Arrays.copyOf(prompt, prompt.length + ticket.request.maxNewTokens());
      this.length = prompt.length;
      this.start = padding;
    }

    /**
     * Picks the next token from its logits and hands it on.
     *
     * @return whether the row goes on
     */
    boolean next(float[] logits) {
      DecodeRequest request = ticket.request;
      int token = request.sampler().next(logits);
      TokenSink sink = ticket.sink;
      if (request.eosId() != null && token == request.eosId()) {
        sink.ended(TokenSink.Ending.EOS, null);
        return false;
      }
      tokens[length++] = token;
      generated++;
      boolean more;
      try {
        more = sink.accept(token);
      } catch (RuntimeException e) {
        sink.ended(TokenSink.Ending.FAILED, e);
        return false;
      }
      if (!more) {
        sink.ended(TokenSink.Ending.STOPPED, null);
        return false;
      }
      if (generated == request.maxNewTokens()) {
        sink.ended(TokenSink.Ending.LENGTH, null);
        return false;
      }
      return true;
    }
  }
}
