package io.llmft.common.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Resolves a host name to its addresses; the system's resolver in production. A download asks it
 * once per request and connects to an address of that one answer, so a name that resolves to a
 * public address when checked and to a private one a moment later (DNS rebinding) cannot redirect
 * the connection.
 */
@FunctionalInterface
public interface HostResolver {
  HostResolver SYSTEM = InetAddress::getAllByName;

  InetAddress[] resolve(String host) throws UnknownHostException;
}
