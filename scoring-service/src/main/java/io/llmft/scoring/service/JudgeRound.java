package io.llmft.scoring.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.job.JobControl;
import io.llmft.common.store.ProgressLog;
import io.llmft.contract.ScoringJob.Judge;
import io.llmft.scoring.client.CallsInFlight;
import io.llmft.scoring.client.JudgeCalls;
import io.llmft.scoring.client.JudgeException;
import io.llmft.scoring.config.JudgeConfig;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Asks one judge a numbered list of prompts, at most {@code judge.concurrency} questions in flight:
 * the next question is taken only when an answer is in, so a round holds a few questions and
 * answers whatever its size. Each answer is appended to the job's progress log as it arrives (so a
 * resumed job never asks again about a prompt it has an answer to) and handed to the listener,
 * which keeps what its job needs of it; the round keeps none. While the judge is unavailable
 * (retries spent, or its circuit breaker open) the round waits, saying so, and fails only after
 * {@code judge.give-up-after}. A job cancelled or stopped interrupts the calls in flight.
 */
@Singleton
public class JudgeRound {
  /** How often the round looks whether its job was cancelled or stopped while calls are out. */
  private static final long WATCH_MILLIS = 100;

  private final JudgeCalls calls;
  private final CallsInFlight callsInFlight;
  private final JudgeConfig config;

  public JudgeRound(JudgeCalls calls, CallsInFlight callsInFlight, JudgeConfig config) {
    this.calls = calls;
    this.callsInFlight = callsInFlight;
    this.config = config;
  }

  /** What a round tells its job as it goes; called one at a time. */
  public interface Listener {
    /**
     * An answer, recovered from the log ({@code fresh} false) or just received; once per index, in
     * no particular order.
     */
    void answered(Judged judged, boolean fresh);

    /** A call is about to be made (retries included). */
    void calling();

    /** Why the round waits for its judge; null once it is answered again. */
    void waiting(String why);
  }

  /** The questions of a round: a prompt per index, null where nothing is asked. */
  public record Questions(
      String jobId, Judge judge, JsonNode schema, int size, IntFunction<String> prompt) {}

  /**
   * Hands every index's answer to the listener, the recovered ones first.
   *
   * @throws io.llmft.common.job.JobCancelledException when the job is cancelled (the calls in
   *     flight interrupted), and likewise when it must stop
   */
  public void judgeAll(
      Questions questions, ProgressLog<Judged> log, JobControl control, Listener listener)
      throws Exception {
    Object lock = new Object();
    BitSet done = new BitSet();
    for (Judged j : log.recovered()) {
      if (j.index() >= 0 && j.index() < questions.size() && !done.get(j.index())) {
        done.set(j.index());
        listener.answered(j, false);
      }
    }
    List<Thread> workers = new CopyOnWriteArrayList<>();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            config.concurrency(),
            r -> {
              Thread t = new Thread(r, "judge-" + questions.jobId() + "-" + (workers.size() + 1));
              t.setDaemon(true);
              workers.add(t);
              return t;
            });
    CompletionService<Judged> answers = new ExecutorCompletionService<>(pool);
    int next = 0;
    int inFlight = 0;
    Throwable failure = null;
    try {
      while (true) {
        while (failure == null && inFlight < config.concurrency() && next < questions.size()) {
          int index = next++;
          if (done.get(index)) {
            continue;
          }
          answers.submit(() -> answer(questions, index, log, control, listener, lock));
          inFlight++;
        }
        if (inFlight == 0) {
          break;
        }
        Future<Judged> answered = answers.poll(WATCH_MILLIS, TimeUnit.MILLISECONDS);
        if (control.cancelRequested() || control.stopRequested()) {
          pool.shutdownNow();
          workers.forEach(callsInFlight::abort);
          control.check();
        }
        if (answered == null) {
          continue;
        }
        inFlight--;
        try {
          Judged j = answered.get();
          synchronized (lock) {
            listener.answered(j, true);
          }
        } catch (ExecutionException e) {
          // the calls in flight finish and are kept; no further question is asked
          failure = failure == null ? e.getCause() : failure;
        }
      }
    } finally {
      pool.shutdownNow();
    }
    control.check();
    if (failure instanceof Exception e) {
      throw e;
    } else if (failure != null) {
      throw (Error) failure;
    }
  }

  private Judged answer(
      Questions questions,
      int index,
      ProgressLog<Judged> log,
      JobControl control,
      Listener listener,
      Object lock)
      throws Exception {
    control.check();
    String prompt = questions.prompt().apply(index);
    Judged j =
        prompt == null
            ? new Judged(index, "", false)
            : ask(questions, index, prompt, control, listener, lock);
    log.append(j);
    return j;
  }

  private Judged ask(
      Questions questions,
      int index,
      String prompt,
      JobControl control,
      Listener listener,
      Object lock)
      throws Exception {
    Judge judge = questions.judge();
    long unavailableSince = -1;
    while (true) {
      control.check();
      String problem;
      try {
        String raw =
            calls.ask(
                judge,
                prompt,
                questions.schema(),
                () -> {
                  synchronized (lock) {
                    listener.calling();
                  }
                });
        if (unavailableSince >= 0) {
          synchronized (lock) {
            listener.waiting(null);
          }
        }
        return new Judged(index, raw, true);
      } catch (CircuitBreakerOpenException e) {
        problem = "its circuit breaker is open after repeated failures";
      } catch (JudgeException e) {
        if (!e.retryable()) {
          throw e;
        }
        problem = e.getMessage();
      }
      long now = System.nanoTime();
      unavailableSince = unavailableSince < 0 ? now : unavailableSince;
      Duration unavailable = Duration.ofNanos(now - unavailableSince);
      if (unavailable.compareTo(config.giveUpAfter()) > 0) {
        throw JudgeException.rejected(
            "the judge at "
                + judge.url()
                + " has been unavailable for "
                + config.giveUpAfter()
                + ": "
                + problem,
            null);
      }
      synchronized (lock) {
        listener.waiting(
            "the judge at "
                + judge.url()
                + " is unavailable ("
                + problem
                + "); the job waits and asks again every "
                + config.breakerDelay().toSeconds()
                + " s");
      }
      control.sleep(config.breakerDelay());
    }
  }
}
