package io.llmft.serving;

import io.llmft.models.LanguageModel;
import io.llmft.models.engine.GradMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching over one shared model: one thread decodes every running request together, one
 * matrix-matrix product per layer per token instead of one matrix-vector product per request.
 * Between two tokens, waiting requests join — their prompts prefilled together in one forward pass
 * of at most {@link Limits#prefillTokens} tokens, so the others wait at most one prefill — and
 * finished or cancelled ones leave.
 *
 * <p>The rows share one KV cache ({@link RunningBatch}), so each gets the tokens it would get
 * alone.
 *
 * <p>Every admitted request ends exactly once. When a step or a prefill fails, every request in the
 * batch and every one joining it ends {@link TokenSink.Ending#FAILED} with the error; the loop logs
 * it, starts a fresh batch and serves the next requests. A request still running after {@link
 * Limits#deadlineMillis} ends failed with a {@link DeadlineExceededException}: the last line of
 * defence against a client that would otherwise wait for ever.
 *
 * <p>The thread starts with the first request and ends after {@link Limits#idle} without any.
 */
public final class DecodeLoop {
  /**
   * @param maxBatch rows decoded together
   * @param maxWaiting requests accepted while the batch is full; more are refused
   * @param prefillTokens prompt tokens prefilled in one pass (one prompt always fits)
   * @param idleMillis how long the thread waits for work before it ends
   * @param deadlineMillis how long a request may wait and run, from its submission, before it is
   *     ended as failed
   */
  public record Limits(
      int maxBatch, int maxWaiting, int prefillTokens, long idleMillis, long deadlineMillis) {}

  /** A request ran past {@link Limits#deadlineMillis}. */
  public static final class DeadlineExceededException extends RuntimeException {
    DeadlineExceededException(long millis) {
      super("the request did not finish within the server's deadline of " + millis + " ms");
    }
  }

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

  private static final Logger LOG = LoggerFactory.getLogger(DecodeLoop.class);

  private final LanguageModel model;
  private final Limits limits;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Deque<Ticket> waiting = new ArrayDeque<>();
  private Thread thread;
  private final AtomicReference<Stats> stats = new AtomicReference<>(new Stats(0, 0, 0, 0));

  /** Rows being decoded (the loop thread's own; read by {@link #nextJoining} under the lock). */
  private RunningBatch batch;

  public DecodeLoop(LanguageModel model, Limits limits, String name) {
    this.model = model;
    this.limits = limits;
    this.name = name;
  }

  /** A submitted request: cancel it when its client goes away. */
  public final class Ticket implements Decoding {
    private final DecodeRequest request;
    private final TokenSink sink;
    private final long deadline;
    private volatile boolean cancelled;

    private Ticket(DecodeRequest request, TokenSink sink) {
      this.request = request;
      this.sink = new EndsOnce(sink);
      this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.deadlineMillis());
    }

    @Override
    public RuntimeException overdue() {
      return System.nanoTime() - deadline > 0
          ? new DeadlineExceededException(limits.deadlineMillis())
          : null;
    }

    @Override
    public DecodeRequest request() {
      return request;
    }

    @Override
    public TokenSink sink() {
      return sink;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    /** Ends the request before its next token (at once when it still waits). */
    public void cancel() {
      cancelled = true;
      boolean removed;
      lock.lock();
      try {
        removed = waiting.remove(this);
        if (removed) {
          stats.updateAndGet(Stats::cancel);
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
    int vocab = model.config().vocabSize();
    for (int id : request.prompt()) {
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException(
            "the prompt has token id " + id + ", outside the model's vocabulary of " + vocab);
      }
    }
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
    return stats.get();
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
    RunningBatch running = newBatch();
    try {
      while (true) {
        List<Ticket> joining = nextJoining();
        if (joining == null) {
          return; // idle: nothing running, nothing came
        }
        try {
          running.dropEnded();
          if (!joining.isEmpty()) {
            try {
              running.join(joining);
            } catch (RunningBatch.PrefillFailed e) {
              LOG.warn("decode loop {}: prefill of {} request(s) failed", name, joining.size(), e);
              end(joining, e.getCause());
            }
          }
          if (running.size() > 0) {
            running.step();
          }
        } catch (RuntimeException | Error e) {
          // the batch's rows and cache may be half updated: end them all, go on with a fresh one
          List<Decoding> failed = new ArrayList<>(running.decoding());
          failed.addAll(joining);
          LOG.error("decode loop {} failed; ending its {} requests", name, failed.size(), e);
          running.close();
          running = newBatch();
          end(failed, e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failAll(running, e);
    } catch (RuntimeException | Error e) {
      failAll(running, e);
      throw e;
    } finally {
      running.close();
    }
  }

  private RunningBatch newBatch() {
    RunningBatch running = new RunningBatch(model, limits.prefillTokens(), this::updateStats);
    lock.lock();
    try {
      batch = running;
    } finally {
      lock.unlock();
    }
    return running;
  }

  private void updateStats(UnaryOperator<Stats> change) {
    stats.updateAndGet(change);
  }

  /**
   * The requests that join before the next step (empty when none fit or none wait), or null when
   * the loop has had nothing to do for {@link Limits#idleMillis}: the thread then ends.
   */
  private List<Ticket> nextJoining() throws InterruptedException {
    List<Ticket> overdue = new ArrayList<>();
    try {
      return joining(overdue);
    } finally {
      for (Ticket t : overdue) {
        t.sink().ended(TokenSink.Ending.FAILED, t.overdue());
      }
    }
  }

  /**
   * {@link #nextJoining}, under the lock; the waiting requests past their deadline go to {@code
   * overdue}.
   */
  private List<Ticket> joining(List<Ticket> overdue) throws InterruptedException {
    lock.lock();
    try {
      waiting.removeIf(t -> t.overdue() != null && overdue.add(t));
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.idleMillis());
      while (batch.size() == 0 && waiting.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          thread = null;
          return null;
        }
        work.awaitNanos(left);
      }
      List<Ticket> joining = new ArrayList<>();
      int tokens = 0;
      while (!waiting.isEmpty() && batch.size() + joining.size() < limits.maxBatch()) {
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

  /** The thread ends: every request it holds or that waits ends failed. */
  private void failAll(RunningBatch running, Throwable t) {
    List<Decoding> failed = new ArrayList<>(running.decoding());
    lock.lock();
    try {
      failed.addAll(waiting);
      waiting.clear();
      thread = null;
    } finally {
      lock.unlock();
    }
    end(failed, t);
  }

  private static void end(List<? extends Decoding> failed, Throwable t) {
    for (Decoding ticket : failed) {
      try {
        ticket.sink().ended(TokenSink.Ending.FAILED, t);
      } catch (RuntimeException e) {
        LOG.warn("a request's sink failed as it was ended", e);
      }
    }
  }

  /**
   * A sink that ends once: what comes after its end (a failure after the request ended in the same
   * step) is dropped.
   */
  private static final class EndsOnce implements TokenSink {
    private final TokenSink sink;
    private final java.util.concurrent.atomic.AtomicBoolean ended =
        new java.util.concurrent.atomic.AtomicBoolean();

    EndsOnce(TokenSink sink) {
      this.sink = sink;
    }

    @Override
    public boolean accept(int token) {
      return !ended.get() && sink.accept(token);
    }

    @Override
    public void ended(Ending ending, Throwable error) {
      if (ended.compareAndSet(false, true)) {
        sink.ended(ending, error);
      }
    }
  }
}
