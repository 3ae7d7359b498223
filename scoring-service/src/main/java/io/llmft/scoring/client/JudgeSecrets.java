package io.llmft.scoring.client;

import io.llmft.scoring.config.JudgeConfig;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The API keys of judges, read from {@code judge.secrets-dir} at each call (a rotated key is used
 * at once) and never written into a job, its document or a log.
 */
@Singleton
public class JudgeSecrets {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private final Path dir;

  public JudgeSecrets(JudgeConfig config) {
    this.dir = config.secretsDir();
  }

  /** Whether {@code name} is a secret this service holds. */
  public boolean has(String name) {
    return name != null && NAME.matcher(name).matches() && Files.isRegularFile(dir.resolve(name));
  }

  /**
   * @throws JudgeException (not retryable) when the secret is gone or unreadable
   */
  public String read(String name) {
    if (!has(name)) {
      throw JudgeException.rejected("no judge secret named '" + name + "' in " + dir, null);
    }
    try {
      return Files.readString(dir.resolve(name)).strip();
    } catch (IOException e) {
      throw JudgeException.rejected("the judge secret '" + name + "' could not be read", e);
    }
  }
}
