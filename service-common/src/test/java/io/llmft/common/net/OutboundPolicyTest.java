package io.llmft.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboundPolicyTest {
  @Test
  void baseUrlsAdmitOnlyTheSameOriginUnderTheSamePath() {
    BaseUrls judges = new BaseUrls(List.of("http://ollama:11434", " https://judge.example/v1/ "));
    assertTrue(judges.admits("http://ollama:11434"));
    assertTrue(judges.admits("http://OLLAMA:11434/api/chat"));
    assertTrue(judges.admits("https://judge.example/v1/api"));
    assertTrue(judges.admits("https://judge.example:443/v1"));
    assertFalse(judges.admits("http://ollama:11435"));
    assertFalse(judges.admits("https://ollama:11434"));
    assertFalse(judges.admits("http://ollama:11434.evil.example"));
    assertFalse(judges.admits("http://user@ollama:11434"));
    assertFalse(judges.admits("https://judge.example/v2"));
    assertFalse(judges.admits("https://judge.example/v1/../admin"));
    assertFalse(judges.admits("not a url"));
    assertTrue(new BaseUrls(List.of()).isEmpty());
  }

  private static String refusal(String literal) throws Exception {
    return PublicAddresses.refusal(InetAddress.getByName(literal)).orElse("public");
  }

  @Test
  void onlyPublicUnicastAddressesAreReachable() throws Exception {
    assertEquals("a loopback address", refusal("127.0.0.1"));
    assertEquals("a loopback address", refusal("::1"));
    assertEquals("a loopback address", refusal("::ffff:127.0.0.1"));
    assertEquals("an unspecified address", refusal("0.0.0.0"));
    assertTrue(refusal("169.254.169.254").startsWith("a link-local address"));
    assertTrue(refusal("fe80::1").startsWith("a link-local address"));
    for (String p :
        List.of("10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "fd00:ec2::254")) {
      assertEquals("a private address", refusal(p), p);
    }
    assertEquals("a multicast address", refusal("224.0.0.1"));
    assertEquals("public", refusal("93.184.216.34"));
    assertEquals("public", refusal("2606:2800:220:1:248:1893:25c8:1946"));
  }
}
