package io.llmft.common.security;

import io.llmft.common.rest.Problem;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Problem bodies for the refusals made before a request reaches a resource, which Quarkus answers
 * with a bare status: 403 from the HTTP permission check (a {@code viewer} that POSTs) and 413 for
 * a body over {@code quarkus.http.limits.max-body-size}.
 */
@ApplicationScoped
public class HttpStatusProblems {
  private final ProblemResponses problems;

  public HttpStatusProblems(ProblemResponses problems) {
    this.problems = problems;
  }

  void install(@Observes Router router) {
    router
        .route()
        .order(Integer.MIN_VALUE)
        .failureHandler(
            context -> {
              int status =
                  context.failure() instanceof io.quarkus.security.ForbiddenException
                      ? 403
                      : context.statusCode();
              String detail =
                  switch (status) {
                    case 403 ->
                        context.request().method()
                            + " needs the role operator; GET needs viewer or operator";
                    case 413 -> "the request body is larger than this service accepts";
                    default -> null;
                  };
              if (detail == null || context.response().ended()) {
                context.next();
                return;
              }
              problems.send(
                  context,
                  new Problem(
                      "about:blank",
                      status == 403 ? "Forbidden" : "Content too large",
                      status,
                      detail,
                      List.of()));
            });
  }
}
