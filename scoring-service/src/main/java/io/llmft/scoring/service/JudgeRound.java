package io.llmft.scoring.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.job.JobControl;
import io.llmft.common.store.ProgressLog;
import io.llmft.contract.ScoringJob.Judge;
import io.llmft.scoring.client.JudgeCalls;
import io.llmft.scoring.client.JudgeException;
import io.llmft.scoring.config.JudgeConfig;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Asks one judge a numbered list of prompts, {@code judge.concurrency} calls at once: each answer
 * is appended to the job's progress log as it arrives (so a resumed job never asks again about a
 * prompt it has an answer to), and the answers come back in prompt order, the same as a sequential
 * run's. While the judge is unavailable (retries spent, or its circuit breaker open) the round
 * waits, saying so, and fails only after {@code judge.give-up-after}.
 */
@Singleton
public class JudgeRound {
  private final JudgeCalls calls;
  private final JudgeConfig config;

  public JudgeRound(JudgeCalls calls, JudgeConfig config) {
    this.calls = calls;
    this.config = config;
  }

  /** What a round tells its job as it goes; called one at a time. */
  public interface Listener {
    /** An answer, recovered from the log ({@code fresh} false) or just received. */
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
   * @return every index's answer, in index order
   */
  public List<Judged> judgeAll(
      Questions questions, ProgressLog<Judged> log, JobControl control, Listener listener)
      throws Exception {
    Judged[] judged = new Judged[questions.size()];
    Object lock = new Object();
    for (Judged j : log.recovered()) {
      if (j.index() < judged.length && judged[j.index()] == null) {
        judged[j.index()] = j;
        listener.answered(j, false);
      }
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            config.concurrency(),
            r -> {
              Thread t =
                  new Thread(r, "judge-" + questions.jobId() + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    List<Future<?>> pending = new ArrayList<>();
    AtomicBoolean failed = new AtomicBoolean();
    try {
      for (int i = 0; i < judged.length; i++) {
        if (judged[i] != null) {
          continue;
        }
        int index = i;
        pending.add(
            pool.submit(
                () -> {
                  if (failed.get()) {
                    return null;
                  }
                  control.check();
                  String prompt = questions.prompt().apply(index);
                  Judged j =
                      prompt == null
                          ? new Judged(index, "", false)
                          : ask(questions, index, prompt, control, listener, lock);
                  log.append(j);
                  synchronized (lock) {
                    judged[index] = j;
                    listener.answered(j, true);
                  }
                  return null;
                }));
      }
      Throwable failure = null;
      for (Future<?> call : pending) {
        try {
          call.get();
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause();
            failed.set(true); // the calls in flight finish and are kept; the queued ones skip
          }
        }
      }
      if (failure instanceof Exception e) {
        throw e;
      } else if (failure != null) {
        throw (Error) failure;
      }
    } finally {
      pool.shutdown();
    }
    return Arrays.asList(judged);
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
