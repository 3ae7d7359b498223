package io.llmft.scoring.client;

import io.llmft.scoring.config.JudgeConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The judge calls being made, by the thread making each: the one timer that ends each call at its
 * deadline, and {@link #abort} for a job that is cancelled or stopped. (A thread blocked reading an
 * answer does not notice an interrupt: its answer is closed under it instead.)
 */
@Singleton
public class CallsInFlight {
  private final JudgeConfig config;
  private final Map<Thread, Answer> open = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "judge-deadlines");
            t.setDaemon(true);
            return t;
          });

  public CallsInFlight(JudgeConfig config) {
    this.config = config;
  }

  /** An answer for a call the calling thread makes, its deadline armed. */
  Answer open(String judge) {
    Answer answer =
        new Answer(
            judge,
            config.maxAnswerChars(),
            config.maxAnswerBytes(),
            config.callTimeout(),
            timer,
            this::closed);
    open.put(Thread.currentThread(), answer);
    return answer;
  }

  private void closed(Answer answer) {
    open.remove(answer.caller(), answer);
  }

  /**
   * Ends the call {@code thread} makes, if it makes one, at once: it fails as interrupted, and is
   * not retried.
   */
  public void abort(Thread thread) {
    Answer answer = open.get(thread);
    if (answer != null) {
      answer.abort();
    }
  }

  @PreDestroy
  void close() {
    timer.shutdownNow();
  }
}
