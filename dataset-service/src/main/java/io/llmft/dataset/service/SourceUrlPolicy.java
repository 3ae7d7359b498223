package io.llmft.dataset.service;

import io.llmft.common.net.BaseUrls;
import io.llmft.common.net.PublicAddresses;
import io.llmft.dataset.config.DownloadsConfig;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Which URLs a dataset source may be downloaded from: http(s) to a host whose every address is
 * public, unless {@code downloads.allowed-urls} admits the URL. Checked when the job is posted, and
 * again before every request of the download, each redirect included.
 */
@Singleton
public class SourceUrlPolicy {
  private final BaseUrls allowed;

  public SourceUrlPolicy(DownloadsConfig config) {
    this.allowed = new BaseUrls(config.allowedUrls().orElse(List.of()));
  }

  /**
   * @return why the URL may not be fetched, or empty when it may
   */
  public Optional<String> refusal(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      return Optional.of("is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      return Optional.of("must be an http or https URL");
    }
    if (uri.getRawUserInfo() != null) {
      return Optional.of("must not carry user info");
    }
    if (allowed.admits(url)) {
      return Optional.empty();
    }
    try {
      return PublicAddresses.refusal(uri.getHost())
          .map(
              why ->
                  "resolves to "
                      + why
                      + ", which downloads may not reach (downloads.allowed-urls can admit it)");
    } catch (UnknownHostException e) {
      return Optional.of("names a host that does not resolve");
    }
  }
}
