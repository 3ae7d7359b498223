package io.llmft.common.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Whether a host may be reached by a download a caller asked for: every address its name resolves
 * to must be a public unicast address, so no request reaches the machine itself, the cluster's
 * private network or a cloud's metadata service ({@code 169.254.169.254}, {@code fd00:ec2::254}). A
 * caller that connects afterwards connects to one of the addresses checked (see {@link
 * HostResolver}), never to a second lookup's answer.
 */
public final class PublicAddresses {
  private PublicAddresses() {}

  /**
   * @return why one of the addresses may not be reached, or empty when every one is public
   */
  public static Optional<String> refusal(InetAddress[] addresses) {
    for (InetAddress address : addresses) {
      Optional<String> why = refusal(address);
      if (why.isPresent()) {
        return why;
      }
    }
    return Optional.empty();
  }

  public static Optional<String> refusal(InetAddress a) {
    if (a instanceof Inet6Address v6 && isIpv4Mapped(v6)) {
      try {
        byte[] b = v6.getAddress();
        return refusal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
    if (a.isLoopbackAddress()) {
      return Optional.of("a loopback address");
    }
    if (a.isAnyLocalAddress()) {
      return Optional.of("an unspecified address");
    }
    if (a.isLinkLocalAddress()) {
      return Optional.of("a link-local address (cloud metadata services live there)");
    }
    if (a.isSiteLocalAddress() || isPrivate(a)) {
      return Optional.of("a private address");
    }
    if (a.isMulticastAddress()) {
      return Optional.of("a multicast address");
    }
    return Optional.empty();
  }

  private static boolean isIpv4Mapped(Inet6Address a) {
    byte[] b = a.getAddress();
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
  }

  /** Ranges Java's own predicates leave out: 0/8, 100.64/10 (carrier NAT), 198.18/15, fc00::/7. */
  private static boolean isPrivate(InetAddress a) {
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first == 0
          || (first == 100 && second >= 64 && second < 128)
          || (first == 198 && (second == 18 || second == 19))
          || first >= 240;
    }
    return (b[0] & 0xfe) == 0xfc;
  }
}
