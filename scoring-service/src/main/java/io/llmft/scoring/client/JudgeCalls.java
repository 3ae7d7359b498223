package io.llmft.scoring.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.contract.ScoringJob.Judge;
import io.llmft.scoring.config.JudgeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.faulttolerance.api.TypedGuard;
import jakarta.inject.Singleton;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Judge calls under SmallRye Fault Tolerance, one guard per judge URL: a call that fails for a
 * reason a retry can help with (connection, timeout, 5xx, an error line) is retried with
 * exponential backoff and jitter; a circuit breaker over the attempts opens when most of the recent
 * ones failed, and then refuses calls at once ({@code CircuitBreakerOpenException}) until its delay
 * has passed, so that a dead judge pauses a job instead of burning through its entries. A 4xx is
 * neither retried nor counted.
 */
@Singleton
public class JudgeCalls {
  private static final Logger LOG = Logger.getLogger(JudgeCalls.class);

  private final OllamaJudge ollama;
  private final OpenAiJudge openAi;
  private final JudgeConfig config;
  private final Map<String, TypedGuard<String>> guards = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final Counter retries;

  public JudgeCalls(
      OllamaJudge ollama, OpenAiJudge openAi, JudgeConfig config, MeterRegistry registry) {
    this.ollama = ollama;
    this.openAi = openAi;
    this.config = config;
    this.registry = registry;
    this.retries =
        Counter.builder("llmft.judge.retries")
            .description("judge calls retried after a failure that may pass")
            .register(registry);
  }

  /**
   * @throws JudgeException when the judge refused the call, or still failed after the retries
   * @throws org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException while
   *     the breaker is open
   */
  /**
   * Asks a resolved judge through its API.
   *
   * @param schema the JSON schema of the answer, or null for free text
   */
  public String ask(Judge judge, String prompt, JsonNode schema, Runnable onAttempt)
      throws Exception {
    return guards
        .computeIfAbsent(judge.url(), this::guard)
        .call(
            () -> {
              onAttempt.run();
              Timer.Sample call = Timer.start(registry);
              String outcome = "error";
              try {
                String answer =
                    Judge.OPENAI.equals(judge.api())
                        ? openAi.ask(judge, prompt, schema)
                        : ollama.ask(judge, prompt, schema);
                outcome = "ok";
                return answer;
              } finally {
                call.stop(
                    Timer.builder("llmft.judge.latency")
                        .description("one call of the judge, from request to its whole answer")
                        .tag("outcome", outcome)
                        .publishPercentileHistogram()
                        .register(registry));
              }
            });
  }

  private TypedGuard<String> guard(String url) {
    long retryDelay = config.retryDelay().toMillis();
    long attemptBound = config.callTimeout().toMillis() + config.maxRetryDelay().toMillis();
    return TypedGuard.create(String.class)
        .withDescription("judge " + url)
        .withRetry()
        .maxRetries(config.retries())
        .delay(retryDelay, ChronoUnit.MILLIS)
        .jitter(Math.max(1, retryDelay / 2), ChronoUnit.MILLIS)
        .maxDuration((config.retries() + 1) * attemptBound, ChronoUnit.MILLIS)
        .whenException(JudgeCalls::retryable)
        .beforeRetry(
            e -> {
              retries.increment();
              LOG.infof("retrying the judge at %s: %s", url, e.getMessage());
            })
        .withExponentialBackoff()
        .factor(2)
        .maxDelay(config.maxRetryDelay().toMillis(), ChronoUnit.MILLIS)
        .done()
        .done()
        .withCircuitBreaker()
        .requestVolumeThreshold(config.breakerWindow())
        .failureRatio(config.breakerFailureRatio())
        .delay(config.breakerDelay().toMillis(), ChronoUnit.MILLIS)
        .successThreshold(1)
        .when(JudgeCalls::retryable)
        .onStateChange(s -> LOG.infof("circuit breaker of the judge at %s: %s", url, s))
        .done()
        .build();
  }

  private static boolean retryable(Throwable e) {
    return e instanceof JudgeException j && j.retryable();
  }
}
