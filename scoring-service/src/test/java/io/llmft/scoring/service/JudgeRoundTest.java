package io.llmft.scoring.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.job.JobCancelledException;
import io.llmft.common.job.JobControl;
import io.llmft.common.store.ProgressLog;
import io.llmft.contract.ScoringJob.Judge;
import io.llmft.scoring.client.CallsInFlight;
import io.llmft.scoring.client.JudgeCalls;
import io.llmft.scoring.config.JudgeConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A round's work is bounded by {@code judge.concurrency}, not by its number of questions. */
class JudgeRoundTest {
  private static final int CONCURRENCY = 4;

  @TempDir Path dir;

  /** A judge that answers at once, counting the calls it is in. */
  private static final class CountingCalls extends JudgeCalls {
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger mostInFlight = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();

    CountingCalls() {
      super(null, null, config(), new SimpleMeterRegistry());
    }

    @Override
    public String ask(Judge judge, String prompt, JsonNode schema, Runnable onAttempt)
        throws Exception {
      onAttempt.run();
      int now = inFlight.incrementAndGet();
      mostInFlight.accumulateAndGet(now, Math::max);
      calls.incrementAndGet();
      Thread.sleep(1);
      inFlight.decrementAndGet();
      return "7";
    }
  }

  @Test
  void aRoundOfAnySizeHoldsNoMoreQuestionsThanItsBudgetAndStopsWhenCancelled() throws Exception {
    CountingCalls calls = new CountingCalls();
    JudgeRound round = new JudgeRound(calls, new CallsInFlight(config()), config());
    JobControl control = new JobControl("job-1", 0);
    AtomicInteger answered = new AtomicInteger();
    var questions =
        new JudgeRound.Questions(
            "job-1", Judge.of("http://judge", "llama3"), null, Integer.MAX_VALUE, i -> "Q" + i);
    try (ProgressLog<Judged> log =
        ProgressLog.open(dir.resolve("log.jsonl"), Judged.class, new ObjectMapper())) {
      assertThrows(
          JobCancelledException.class,
          () ->
              round.judgeAll(
                  questions,
                  log,
                  control,
                  new Listener() {
                    @Override
                    public void answered(Judged judged, boolean fresh) {
                      if (answered.incrementAndGet() == 100) {
                        control.cancel();
                      }
                    }
                  }));
    }
    assertTrue(calls.mostInFlight.get() <= CONCURRENCY, "calls at once: " + calls.mostInFlight);
    assertTrue(calls.calls.get() <= 100 + CONCURRENCY, "calls: " + calls.calls);
  }

  @Test
  void eachAnswerIsHandedOnOnceAndThoseOfTheLogAreNotAskedAgain() throws Exception {
    CountingCalls calls = new CountingCalls();
    JudgeRound round = new JudgeRound(calls, new CallsInFlight(config()), config());
    Path file = dir.resolve("log.jsonl");
    ObjectMapper mapper = new ObjectMapper();
    try (ProgressLog<Judged> log = ProgressLog.open(file, Judged.class, mapper)) {
      log.appendAll(List.of(new Judged(3, "5", true), new Judged(7, "6", true)));
    }
    int[] seen = new int[50];
    AtomicInteger recovered = new AtomicInteger();
    try (ProgressLog<Judged> log = ProgressLog.open(file, Judged.class, mapper)) {
      round.judgeAll(
          new JudgeRound.Questions(
              "job-2",
              Judge.of("http://judge", "llama3"),
              null,
              seen.length,
              i -> i % 10 == 0 ? null : "Q" + i),
          log,
          new JobControl("job-2", 0),
          new Listener() {
            @Override
            public void answered(Judged judged, boolean fresh) {
              seen[judged.index()]++;
              recovered.addAndGet(fresh ? 0 : 1);
            }
          });
    }
    for (int count : seen) {
      assertEquals(1, count);
    }
    assertEquals(2, recovered.get());
    assertEquals(50 - 2 - 5, calls.calls.get(), "neither the logged nor the empty ones asked");
  }

  private abstract static class Listener implements JudgeRound.Listener {
    @Override
    public void calling() {}

    @Override
    public void waiting(String why) {}
  }

  /**
   * The service's judge settings for a round without the service: a proxy, since a class
   * implementing the mapping would carry its validation annotations into the test application.
   */
  static JudgeConfig config() {
    Map<String, Object> values =
        Map.of(
            "concurrency",
            CONCURRENCY,
            "retries",
            0,
            "breakerDelay",
            Duration.ofSeconds(1),
            "giveUpAfter",
            Duration.ofMinutes(1));
    return (JudgeConfig)
        Proxy.newProxyInstance(
            JudgeConfig.class.getClassLoader(),
            new Class<?>[] {JudgeConfig.class},
            (proxy, method, args) -> {
              if (!values.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName());
              }
              return values.get(method.getName());
            });
  }
}
