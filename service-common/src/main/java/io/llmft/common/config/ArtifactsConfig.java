package io.llmft.common.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The shared artifact store (env {@code ARTIFACTS_DIR}). */
@ConfigMapping(prefix = "artifacts")
public interface ArtifactsConfig {
  @WithDefault("./data")
  String dir();
}
