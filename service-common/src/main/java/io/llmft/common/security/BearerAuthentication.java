package io.llmft.common.security;

import io.llmft.common.rest.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * {@code Authorization: Bearer <token>} on every request: a static API key ({@link ApiKeys}) gives
 * its role; any other token is verified as a JWT by SmallRye JWT against the issuer configured with
 * {@code mp.jwt.verify.publickey.location} (an OIDC issuer's JWKS URL) and {@code
 * mp.jwt.verify.issuer}, its roles from the {@code groups} claim (or {@code
 * smallrye.jwt.path.groups}). Which role may do what is in the HTTP permissions of {@code
 * microprofile-config.properties}. Refusals are problem+json: 401 here, 403 and 413 in {@link
 * HttpStatusProblems}.
 */
@ApplicationScoped
public class BearerAuthentication implements HttpAuthenticationMechanism {
  private static final Logger LOG = Logger.getLogger(BearerAuthentication.class);
  private static final String SCHEME = "Bearer";
  private static final String WWW_AUTHENTICATE = "WWW-Authenticate";
  private static final String FAILURE = BearerAuthentication.class.getName() + ".failure";

  private final ApiKeys keys;
  private final ProblemResponses problems;
  private final boolean jwtConfigured;

  public BearerAuthentication(ApiKeys keys, ProblemResponses problems) {
    this.keys = keys;
    this.problems = problems;
    var config = ConfigProvider.getConfig();
    this.jwtConfigured =
        config.getOptionalValue("mp.jwt.verify.publickey.location", String.class).isPresent()
            || config.getOptionalValue("mp.jwt.verify.publickey", String.class).isPresent();
    if (keys.isEmpty() && !jwtConfigured) {
      LOG.warn(
          "no API_KEYS and no JWT issuer (mp.jwt.verify.publickey.location) configured: every"
              + " request but /q/health is refused");
    }
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      RoutingContext context, IdentityProviderManager identities) {
    String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null) {
      return Uni.createFrom().nullItem();
    }
    if (!header.regionMatches(true, 0, SCHEME + " ", 0, SCHEME.length() + 1)) {
      return refuse(context, "only bearer tokens are accepted (Authorization: Bearer <token>)");
    }
    String token = header.substring(SCHEME.length() + 1).strip();
    var role = keys.roleOf(token);
    if (role.isPresent()) {
      return Uni.createFrom()
          .item(
              QuarkusSecurityIdentity.builder()
                  .setPrincipal(new QuarkusPrincipal("api-key:" + role.get()))
                  .addRole(role.get())
                  .build());
    }
    if (!jwtConfigured || token.chars().filter(c -> c == '.').count() != 2) {
      return refuse(context, "the bearer token is not a valid API key");
    }
    AuthenticationRequest request =
        HttpSecurityUtils.setRoutingContextAttribute(
            new TokenAuthenticationRequest(new JsonWebTokenCredential(token)), context);
    return identities
        .authenticate(request)
        .onFailure()
        .transform(
            e -> {
              context.put(
                  FAILURE,
                  "the bearer token is not a valid JWT of the configured issuer (signature,"
                      + " issuer or expiry)");
              return e instanceof AuthenticationFailedException
                  ? e
                  : new AuthenticationFailedException(e);
            });
  }

  private static Uni<SecurityIdentity> refuse(RoutingContext context, String why) {
    context.put(FAILURE, why);
    return Uni.createFrom().failure(new AuthenticationFailedException(why));
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    return Uni.createFrom().item(new ChallengeData(401, WWW_AUTHENTICATE, challenge(context)));
  }

  /** A 401 with a problem body, not the bare challenge Quarkus sends by default. */
  @Override
  public Uni<Boolean> sendChallenge(RoutingContext context) {
    String why = context.get(FAILURE);
    String detail =
        why != null
            ? why
            : "this endpoint needs a bearer token: Authorization: Bearer <API key or JWT>";
    context.response().putHeader(WWW_AUTHENTICATE, challenge(context));
    problems.send(context, new Problem("about:blank", "Unauthorized", 401, detail, List.of()));
    return Uni.createFrom().item(true);
  }

  private static String challenge(RoutingContext context) {
    return context.get(FAILURE) == null
        ? SCHEME + " realm=\"llmft\""
        : SCHEME + " realm=\"llmft\", error=\"invalid_token\"";
  }

  /** Ahead of SmallRye JWT's own mechanism, which would otherwise claim every bearer token. */
  @Override
  public int getPriority() {
    return DEFAULT_PRIORITY + 100;
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(TokenAuthenticationRequest.class);
  }

  @Override
  public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
    return Uni.createFrom()
        .item(
            new HttpCredentialTransport(
                HttpCredentialTransport.Type.AUTHORIZATION, SCHEME.toLowerCase()));
  }
}
