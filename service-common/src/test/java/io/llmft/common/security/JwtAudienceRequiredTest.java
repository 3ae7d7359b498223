package io.llmft.common.security;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/** JWTs without an audience to check are refused at start; API keys alone need none. */
class JwtAudienceRequiredTest {
  private static Config config(Map<String, String> properties) {
    return new SmallRyeConfigBuilder()
        .withSources(new PropertiesConfigSource(properties, "test", 500))
        .build();
  }

  @Test
  void jwtsNeedAnAudience() {
    String keys = "mp.jwt.verify.publickey.location";
    assertTrue(JwtAudienceRequired.problem(config(Map.of(keys, "https://idp/certs"))).isPresent());
    assertTrue(
        JwtAudienceRequired.problem(
                config(Map.of(keys, "https://idp/certs", "mp.jwt.verify.audiences", "llmft")))
            .isEmpty());
    assertTrue(JwtAudienceRequired.problem(config(Map.of("api.keys", "viewer:x"))).isEmpty());
  }
}
