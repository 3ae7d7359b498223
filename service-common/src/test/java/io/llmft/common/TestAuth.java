package io.llmft.common;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Set;

/** The credentials of the tests (see META-INF/microprofile-config.properties of this test-jar). */
public final class TestAuth {
  public static final String OPERATOR_KEY = "test-operator-key-0123456789";
  public static final String VIEWER_KEY = "test-viewer-key-0123456789";
  public static final String ISSUER = "https://issuer.test.llmft";
  public static final String AUDIENCE = "llmft-test";

  private TestAuth() {}

  public static String bearer(String token) {
    return "Bearer " + token;
  }

  /** A JWT of the configured issuer with these roles, valid for an hour. */
  public static String jwt(String... roles) {
    return Jwt.issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("test-user")
        .groups(Set.of(roles))
        .expiresAt(Instant.now().plusSeconds(3600))
        .sign(issuerKey());
  }

  /** A JWT of the configured issuer, made for another application of the realm. */
  public static String jwtForAnotherAudience(String role) {
    return Jwt.issuer(ISSUER)
        .audience("another-app")
        .subject("test-user")
        .groups(Set.of(role))
        .expiresAt(Instant.now().plusSeconds(3600))
        .sign(issuerKey());
  }

  /** A JWT of the configured issuer that expired a minute ago. */
  public static String expiredJwt(String role) {
    return Jwt.issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("test-user")
        .groups(Set.of(role))
        .issuedAt(Instant.now().minusSeconds(3600))
        .expiresAt(Instant.now().minusSeconds(60))
        .sign(issuerKey());
  }

  /** A well-formed JWT naming the issuer, but signed by a key the issuer never had. */
  public static String jwtOfAnotherKey(String role) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return Jwt.issuer(ISSUER)
          .audience(AUDIENCE)
          .subject("test-user")
          .groups(Set.of(role))
          .expiresAt(Instant.now().plusSeconds(3600))
          .sign(generator.generateKeyPair().getPrivate());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static PrivateKey issuerKey() {
    try {
      return KeyUtils.readPrivateKey("security/jwt-test-private.pem");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
