package io.llmft.common.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.rest.OpenAiError;
import io.llmft.common.rest.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

/**
 * The body of the refusals made in the HTTP layer, before a request reaches a resource (where
 * {@code ProblemMapper} answers): problem+json, or OpenAI's error shape under {@code /v1/}.
 */
@Singleton
public class ProblemResponses {
  private final ObjectMapper mapper;

  public ProblemResponses(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** Ends the response with the problem, unless it has ended already. */
  void send(RoutingContext context, Problem problem) {
    HttpServerResponse response = context.response();
    if (response.ended()) {
      return;
    }
    boolean openAi = OpenAiError.appliesTo(context.normalizedPath());
    try {
      response
          .setStatusCode(problem.status())
          .putHeader(HttpHeaders.CONTENT_TYPE, openAi ? "application/json" : Problem.MEDIA_TYPE)
          .end(mapper.writeValueAsString(openAi ? OpenAiError.of(problem) : problem));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
