package io.llmft.common.net;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * An allow-list of base URLs: a URL is admitted when its scheme, host and port equal an entry's and
 * its path lies under the entry's path. No wildcards; a URL with user info is never admitted.
 */
public final class BaseUrls {
  private final List<URI> bases;

  public BaseUrls(List<String> bases) {
    this.bases =
        bases.stream().map(String::strip).filter(s -> !s.isEmpty()).map(URI::create).toList();
  }

  public boolean isEmpty() {
    return bases.isEmpty();
  }

  public boolean admits(String url) {
    URI uri;
    try {
      uri = URI.create(url).normalize();
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (uri.getRawUserInfo() != null || uri.getHost() == null) {
      return false;
    }
    for (URI base : bases) {
      if (scheme(base).equals(scheme(uri))
          && host(base).equals(host(uri))
          && port(base) == port(uri)
          && under(path(uri), path(base))) {
        return true;
      }
    }
    return false;
  }

  private static String scheme(URI u) {
    return u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
  }

  private static String host(URI u) {
    return u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return "https".equals(scheme(u)) ? 443 : 80;
  }

  private static String path(URI u) {
    String p = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    return p.endsWith("/") ? p : p + "/";
  }

  private static boolean under(String path, String base) {
    return path.startsWith(base) && !path.contains("/../");
  }

  @Override
  public String toString() {
    return bases.toString();
  }
}
