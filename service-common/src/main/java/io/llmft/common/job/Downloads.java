package io.llmft.common.job;

import io.llmft.common.config.JobsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A download inside a job that may break off: tried again after a pause that doubles, each attempt
 * resuming where the last one stopped, up to {@code jobs.download-attempts}; each retry is told to
 * the job (its {@code download} field), and a cancel or stop ends a pause at once.
 */
@ApplicationScoped
public class Downloads {
  /** One attempt; it resumes from whatever the previous ones received. */
  @FunctionalInterface
  public interface Attempt<T> {
    T run() throws IOException;
  }

  private final JobsConfig config;

  public Downloads(JobsConfig config) {
    this.config = config;
  }

  /**
   * @param retryable which failures another attempt may get past
   * @throws IOException the first failure that is not retryable, or the last one
   */
  public <T> T attempt(
      String what,
      Predicate<IOException> retryable,
      JobControl control,
      Consumer<String> progress,
      Attempt<T> attempt)
      throws IOException {
    int attempts = config.downloadAttempts();
    Duration pause = config.downloadBackoff();
    for (int n = 1; ; n++) {
      try {
        return attempt.run();
      } catch (IOException e) {
        if (!retryable.test(e)) {
          throw e;
        }
        if (n >= attempts) {
          throw new IOException(
              "gave up downloading " + what + " after " + n + " attempts: " + e.getMessage(), e);
        }
        progress.accept(
            "download attempt "
                + n
                + " of "
                + attempts
                + " failed ("
                + e.getMessage()
                + "); the next resumes where it stopped, in "
                + pause.toMillis()
                + " ms");
        control.sleep(pause);
        pause = pause.multipliedBy(2);
      }
    }
  }
}
