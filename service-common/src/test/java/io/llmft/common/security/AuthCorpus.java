package io.llmft.common.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.llmft.common.TestAuth;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The authentication part of the security corpus, the same for every service: each refused case is
 * a 401 or 403 problem body, creates no job, and leaves the service healthy. A service's test
 * extends it with the collection it serves and a valid job body.
 */
public abstract class AuthCorpus {
  /** The job collection, e.g. {@code /datasets}. */
  protected abstract String collection();

  /** A valid job body with this id, which an operator's POST accepts. */
  protected abstract String validJob(String jobId);

  @AfterEach
  void serviceStaysHealthy() {
    given().when().get("/q/health/live").then().statusCode(200);
  }

  private RequestSpecification as(String token) {
    RequestSpecification spec = given().contentType("application/json");
    return token == null ? spec.noFilters() : spec.header("Authorization", TestAuth.bearer(token));
  }

  private static void unauthorized(ValidatableResponse response) {
    response
        .statusCode(401)
        .contentType("application/problem+json")
        .header("WWW-Authenticate", startsWith("Bearer"))
        .body("status", equalTo(401))
        .body("title", equalTo("Unauthorized"));
  }

  private void notCreated(String id) {
    as(TestAuth.OPERATOR_KEY).when().get(collection() + "/" + id).then().statusCode(404);
  }

  private void refusedPost(String token, int status) {
    String id = "auth-" + UUID.randomUUID();
    ValidatableResponse r = as(token).body(validJob(id)).when().post(collection()).then();
    if (status == 401) {
      unauthorized(r);
    } else {
      r.statusCode(403)
          .contentType("application/problem+json")
          .body("title", equalTo("Forbidden"))
          .body("detail", containsString("operator"));
    }
    notCreated(id);
  }

  @Test
  void noTokenIsUnauthorizedEverywhereButHealth() {
    unauthorized(as(null).when().get(collection() + "/any").then());
    unauthorized(as(null).when().get("/q/openapi").then());
    unauthorized(as(null).when().get("/q/metrics").then());
    unauthorized(as(null).when().delete(collection() + "/any").then());
    refusedPost(null, 401);
    as(null).when().get("/q/health/ready").then().statusCode(200);
  }

  @Test
  void anUnknownKeyAnotherSchemeAnExpiredOrForeignJwtAreUnauthorized() {
    refusedPost("not-a-key-of-this-service-000", 401);
    refusedPost(TestAuth.expiredJwt(Roles.OPERATOR), 401);
    refusedPost(TestAuth.jwtOfAnotherKey(Roles.OPERATOR), 401);
    refusedPost(TestAuth.jwtForAnotherAudience(Roles.OPERATOR), 401);
    unauthorized(
        given()
            .noFilters()
            .header("Authorization", "Basic b3BlcmF0b3I6c2VjcmV0")
            .when()
            .get(collection() + "/any")
            .then());
    as(TestAuth.expiredJwt(Roles.VIEWER))
        .when()
        .get(collection() + "/any")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", containsString("invalid_token"));
  }

  @Test
  void aViewerReadsButMayNotPostOrDelete() {
    as(TestAuth.VIEWER_KEY).when().get(collection() + "/unknown-job").then().statusCode(404);
    as(TestAuth.jwt(Roles.VIEWER)).when().get("/q/openapi").then().statusCode(200);
    refusedPost(TestAuth.VIEWER_KEY, 403);
    refusedPost(TestAuth.jwt(Roles.VIEWER), 403);
    refusedPost(TestAuth.jwt("someone-else"), 403);
    as(TestAuth.VIEWER_KEY)
        .when()
        .delete(collection() + "/unknown-job")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
  }

  @Test
  void anOperatorKeyOrJwtStartsJobs() {
    for (String token : new String[] {TestAuth.OPERATOR_KEY, TestAuth.jwt(Roles.OPERATOR)}) {
      String id = "auth-ok-" + UUID.randomUUID();
      as(token).body(validJob(id)).when().post(collection()).then().statusCode(202);
      as(TestAuth.VIEWER_KEY).when().get(collection() + "/" + id).then().statusCode(200);
    }
  }
}
