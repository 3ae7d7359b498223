package io.llmft.scoring.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The judge a scoring job uses when it names none (env {@code OLLAMA_HOST}, {@code OLLAMA_MODEL}).
 */
@ConfigMapping(prefix = "ollama")
public interface OllamaConfig {
  @WithDefault("http://localhost:11434")
  String host();

  @WithDefault("llama3")
  String model();
}
