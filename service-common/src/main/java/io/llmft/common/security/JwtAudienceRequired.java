package io.llmft.common.security;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Where JWTs are accepted, their audience is checked: without {@code mp.jwt.verify.audiences} a
 * token the issuer made for any other application of the realm would be accepted here. A service
 * that accepts JWTs without it does not start.
 */
@ApplicationScoped
public class JwtAudienceRequired {
  void onStart(@Observes StartupEvent event) {
    problem(ConfigProvider.getConfig())
        .ifPresent(
            p -> {
              throw new IllegalStateException(p);
            });
  }

  /** Why the JWT settings are refused, if they are. */
  static Optional<String> problem(Config config) {
    boolean jwts =
        config.getOptionalValue("mp.jwt.verify.publickey.location", String.class).isPresent()
            || config.getOptionalValue("mp.jwt.verify.publickey", String.class).isPresent();
    boolean audience =
        config
            .getOptionalValue("mp.jwt.verify.audiences", String.class)
            .filter(a -> !a.isBlank())
            .isPresent();
    return jwts && !audience
        ? Optional.of(
            "JWTs are accepted (mp.jwt.verify.publickey.location) but their audience is not"
                + " checked: set MP_JWT_VERIFY_AUDIENCES to the audience the issuer gives this"
                + " deployment's tokens")
        : Optional.empty();
  }
}
