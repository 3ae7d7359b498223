package io.llmft.dataset.service;

import io.llmft.common.net.BaseUrls;
import io.llmft.common.net.HostResolver;
import io.llmft.common.net.PublicAddresses;
import io.llmft.dataset.config.DownloadsConfig;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Which URLs a dataset source may be downloaded from: http(s) to a host whose every address is
 * public, unless {@code downloads.allowed-urls} admits the URL. Checked when the job is posted, and
 * again before every request of the download, each redirect included; that request connects to an
 * address of the answer checked ({@link Checked#address}), not to a second lookup's.
 */
@Singleton
public class SourceUrlPolicy {
  private final BaseUrls allowed;
  private final HostResolver resolver;

  public SourceUrlPolicy(DownloadsConfig config, HostResolver resolver) {
    this.allowed = new BaseUrls(config.allowedUrls().orElse(List.of()));
    this.resolver = resolver;
  }

  /** A URL that may be fetched, and the checked address of its host to connect to. */
  public record Checked(URI uri, InetAddress address) {
    public boolean https() {
      return uri.getScheme().equalsIgnoreCase("https");
    }

    public int port() {
      return uri.getPort() >= 0 ? uri.getPort() : https() ? 443 : 80;
    }

    /** The path and query the request asks for. */
    public String target() {
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }
  }

  /** Why a URL may not be fetched; the message completes "source.url ...". */
  public static final class Refused extends IOException {
    Refused(String reason) {
      super(reason);
    }
  }

  /**
   * @return why the URL may not be fetched, or empty when it may
   */
  public Optional<String> refusal(String url) {
    try {
      check(url);
      return Optional.empty();
    } catch (Refused e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * Resolves the URL's host once and checks every address of that answer.
   *
   * @throws Refused why the URL may not be fetched
   */
  public Checked check(String url) throws Refused {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new Refused("is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new Refused("must be an http or https URL");
    }
    if (uri.getRawUserInfo() != null) {
      throw new Refused("must not carry user info");
    }
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(uri.getHost());
    } catch (UnknownHostException e) {
      throw new Refused("names a host that does not resolve");
    }
    if (addresses.length == 0) {
      throw new Refused("names a host that does not resolve");
    }
    if (!allowed.admits(url)) {
      Optional<String> why = PublicAddresses.refusal(addresses);
      if (why.isPresent()) {
        throw new Refused(
            "resolves to "
                + why.get()
                + ", which downloads may not reach (downloads.allowed-urls can admit it)");
      }
    }
    return new Checked(uri, addresses[0]);
  }
}
