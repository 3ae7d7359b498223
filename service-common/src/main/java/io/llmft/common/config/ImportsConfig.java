package io.llmft.common.config;

import io.smallrye.config.ConfigMapping;
import java.util.List;
import java.util.Optional;

/**
 * The directories that local paths in requests ({@code source.path}, {@code baseModel.path}, {@code
 * model.path}) may name (env {@code ALLOWED_IMPORT_ROOTS}, comma-separated); unset: the artifact
 * store's {@code imports/} folder alone.
 */
@ConfigMapping(prefix = "allowed-import")
public interface ImportsConfig {
  Optional<List<String>> roots();
}
