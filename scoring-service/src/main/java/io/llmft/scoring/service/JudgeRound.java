package io.llmft.scoring.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.job.JobControl;
import io.llmft.common.store.ProgressLog;
import io.llmft.scoring.client.JudgeCalls;
import io.llmft.scoring.client.JudgeException;
import io.llmft.scoring.config.JudgeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Judges a job's entries, {@code judge.concurrency} calls at once: each answer is appended to the
 * job's progress log as it arrives (so a resumed job never asks again about an entry it has), and
 * the scores are assembled in entry order at the end, the same as a sequential run's. While the
 * judge is unavailable (retries spent, or its circuit breaker open) the job waits, saying so in
 * {@code waiting}, and fails only after {@code judge.give-up-after}.
 */
@Singleton
public class JudgeRound {
  private static final int PROGRESS_EVERY = 10;

  private final JudgeCalls calls;
  private final JudgeConfig config;
  private final Counter unparsed;

  public JudgeRound(JudgeCalls calls, JudgeConfig config, MeterRegistry registry) {
    this.calls = calls;
    this.config = config;
    this.unparsed =
        Counter.builder("llmft.judge.unparsed")
            .description("judge answers without a score in them")
            .register(registry);
  }

  /**
   * Fills {@code state}'s scores for {@code entries}, continuing after what {@code log} recovered.
   *
   * @param progress saves and announces {@code state}; called with {@code state} locked
   */
  public void judgeAll(
      ScoringState state,
      List<JsonNode> entries,
      ProgressLog<Judged> log,
      JobControl control,
      Runnable progress)
      throws Exception {
    Judged[] judged = new Judged[entries.size()];
    Tally tally = new Tally();
    for (Judged j : log.recovered()) {
      judged[j.index()] = j;
      tally.add(j);
    }
    synchronized (state) {
      state.total = entries.size();
      tally.applyTo(state);
      state.resumedAfter = state.completed > 0 ? state.completed : null;
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            config.concurrency(),
            r -> {
              Thread t = new Thread(r, "judge-" + state.id + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    List<Future<?>> calls = new ArrayList<>();
    AtomicBoolean failed = new AtomicBoolean();
    try {
      for (int i = 0; i < entries.size(); i++) {
        if (judged[i] == null) {
          int index = i;
          calls.add(
              pool.submit(
                  () -> {
                    if (failed.get()) {
                      return null;
                    }
                    control.check();
                    Judged j = judge(state, index, entries.get(index), control, progress);
                    log.append(j);
                    if (j.score().isEmpty()) {
                      unparsed.increment(); // counted once: when the answer came
                    }
                    synchronized (state) {
                      judged[index] = j;
                      tally.add(j);
                      tally.applyTo(state);
                      if (state.completed % PROGRESS_EVERY == 0 || state.completed == state.total) {
                        progress.run();
                      }
                    }
                    return null;
                  }));
        }
      }
      Throwable failure = null;
      for (Future<?> call : calls) {
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
    synchronized (state) {
      state.scores.clear();
      state.unparsed.clear();
      for (Judged j : judged) {
        OptionalInt score = j.score();
        if (score.isPresent()) {
          state.scores.add(new ScoringState.Score(j.index(), score.getAsInt(), j.raw()));
        } else {
          state.unparsed.add(new ScoringState.Unparsed(j.index(), j.raw()));
        }
      }
    }
  }

  private Judged judge(
      ScoringState state, int index, JsonNode entry, JobControl control, Runnable progress)
      throws Exception {
    if (entry.path(state.responseKey).asText("").isBlank()) {
      return new Judged(index, "", false);
    }
    String prompt = BookJudgePrompt.prompt(entry, state.responseKey);
    long unavailableSince = -1;
    while (true) {
      control.check();
      String problem;
      try {
        String raw =
            calls.ask(
                state.judgeUrl,
                state.judgeModel,
                prompt,
                () -> {
                  synchronized (state) {
                    state.judgeCalls++;
                  }
                });
        if (unavailableSince >= 0) {
          synchronized (state) {
            state.waiting = null;
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
                + state.judgeUrl
                + " has been unavailable for "
                + config.giveUpAfter()
                + ": "
                + problem,
            null);
      }
      synchronized (state) {
        state.waiting =
            "the judge at "
                + state.judgeUrl
                + " is unavailable ("
                + problem
                + "); the job waits and asks again every "
                + config.breakerDelay().toSeconds()
                + " s";
        progress.run();
      }
      control.sleep(config.breakerDelay());
    }
  }

  /** The running counts of the judged entries, each answer parsed once. */
  private static final class Tally {
    private int completed;
    private int scored;
    private long sum;

    void add(Judged j) {
      completed++;
      OptionalInt score = j.score();
      if (score.isPresent()) {
        scored++;
        sum += score.getAsInt();
      }
    }

    void applyTo(ScoringState state) {
      state.completed = completed;
      state.scored = scored;
      state.averageScore = scored == 0 ? null : (double) sum / scored;
    }
  }
}
