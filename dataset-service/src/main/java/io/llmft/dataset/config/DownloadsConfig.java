package io.llmft.dataset.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What a dataset {@code source.url} may reach and fetch (env {@code DOWNLOADS_*}). */
@ConfigMapping(prefix = "downloads")
public interface DownloadsConfig {
  /**
   * Base URLs that may be downloaded even when their host resolves to a loopback, private or
   * link-local address (comma-separated); public hosts need no entry.
   */
  Optional<List<String>> allowedUrls();

  /** A source larger than this is refused (checked against Content-Length and while reading). */
  @WithDefault("2147483648")
  long maxBytes();

  /** All attempts of one download together, redirects and retries included. */
  @WithDefault("30m")
  Duration timeout();
}
