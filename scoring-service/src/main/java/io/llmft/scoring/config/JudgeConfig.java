package io.llmft.scoring.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** How the scoring service asks its judge (env {@code JUDGE_*}). */
@ConfigMapping(prefix = "judge")
public interface JudgeConfig {
  /**
   * The judges a job may name (env {@code JUDGE_ALLOWED_URLS}, comma-separated base URLs); unset:
   * {@code OLLAMA_HOST} alone. Scoring sends the dataset's text to the judge, so no caller may
   * point it elsewhere.
   */
  Optional<List<String>> allowedUrls();

  /**
   * Where the API keys a job may name ({@code judge.apiKeySecret}) are kept, one file per secret,
   * named as the secret (a Kubernetes Secret mounted as a volume, a Compose secret); env {@code
   * JUDGE_SECRETS_DIR}. A job names a key, never carries it.
   */
  @WithDefault("/run/secrets/llmft-judge")
  java.nio.file.Path secretsDir();

  /**
   * Questions in flight per job: calls being made, and answers not yet stored (Ollama serves
   * several at once); scores keep entry order whatever order the answers come in.
   */
  @WithDefault("4")
  @Min(1)
  int concurrency();

  /**
   * The deadline of one call, from the request until the last byte of its answer: a judge that
   * drips bytes or hangs is cut off here (and the call retried), not only between lines.
   */
  @WithDefault("120s")
  Duration callTimeout();

  /** Longer answers are cut here (and recorded as unparsed): a score is a few characters. */
  @WithDefault("4096")
  @Min(16)
  int maxAnswerChars();

  /**
   * The most bytes of one answer's body read (JSON or events, framing included): the rest is not
   * read, and the answer is what came within them, recorded as it is (usually unparsed).
   */
  @WithDefault("1048576")
  @Min(1024)
  int maxAnswerBytes();

  /**
   * The most entries a job judges: its {@code entries}, or each source's responses (a scoring
   * job's, a comparison's); a larger job is refused with 400 naming the field.
   */
  @WithDefault("100000")
  @Min(1)
  int maxEntries();

  /** Retries of a call that failed for a connection error, a timeout or a 5xx. */
  @WithDefault("4")
  @Min(0)
  int retries();

  /** The first pause before a retry; it doubles up to {@link #maxRetryDelay()}, with jitter. */
  @WithDefault("250ms")
  Duration retryDelay();

  @WithDefault("10s")
  Duration maxRetryDelay();

  /** The circuit breaker opens when this many of the last calls... */
  @WithDefault("8")
  @Min(1)
  int breakerWindow();

  /** ...failed in at least this ratio, */
  @WithDefault("0.75")
  double breakerFailureRatio();

  /** ...and stays open this long: the job waits (RUNNING, {@code waiting} says why). */
  @WithDefault("30s")
  Duration breakerDelay();

  /** A job whose judge stays unavailable this long fails with the judge's last error. */
  @WithDefault("30m")
  Duration giveUpAfter();
}
