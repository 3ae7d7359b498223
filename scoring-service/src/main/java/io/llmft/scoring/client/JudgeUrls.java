package io.llmft.scoring.client;

import io.llmft.common.net.BaseUrls;
import io.llmft.scoring.config.JudgeConfig;
import io.llmft.scoring.config.OllamaConfig;
import jakarta.inject.Singleton;
import java.util.List;

/** The judge allow-list: {@code judge.allowed-urls}, or {@code ollama.host} alone when unset. */
@Singleton
public class JudgeUrls {
  private final BaseUrls allowed;

  public JudgeUrls(JudgeConfig config, OllamaConfig ollama) {
    this.allowed = new BaseUrls(config.allowedUrls().orElse(List.of(ollama.host())));
  }

  public boolean admits(String url) {
    return allowed.admits(url);
  }
}
