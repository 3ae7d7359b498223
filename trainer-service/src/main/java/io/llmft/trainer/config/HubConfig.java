package io.llmft.trainer.config;

import io.llmft.models.hub.HubDownloader;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * The Hugging Face hub that GPT-2 names are downloaded from (env {@code HF_ENDPOINT}, {@code
 * HF_TOKEN}).
 */
@ConfigMapping(prefix = "hf")
public interface HubConfig {
  @WithDefault(HubDownloader.DEFAULT_ENDPOINT)
  String endpoint();

  /** Sent as a bearer token when set. */
  Optional<String> token();
}
