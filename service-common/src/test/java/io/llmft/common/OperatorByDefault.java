package io.llmft.common;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;

/**
 * Every {@code @QuarkusTest} calls its service as an operator unless a request names its own {@code
 * Authorization}; the security tests remove this filter ({@link RestAssured#replaceFiltersWith}) to
 * send no credentials at all.
 */
public class OperatorByDefault implements QuarkusTestBeforeEachCallback {
  private static final Filter OPERATOR =
      (request, response, context) -> {
        if (!request.getHeaders().hasHeaderWithName("Authorization")) {
          request.header("Authorization", TestAuth.bearer(TestAuth.OPERATOR_KEY));
        }
        return context.next(request, response);
      };

  @Override
  public void beforeEach(QuarkusTestMethodContext context) {
    RestAssured.replaceFiltersWith(OPERATOR);
  }
}
