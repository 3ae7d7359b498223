package io.llmft.common.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.rest.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Singleton;

/**
 * A problem+json body for the refusals made in the HTTP layer, before a request reaches a resource
 * (where {@code ProblemMapper} answers).
 */
@Singleton
public class ProblemResponses {
  private final ObjectMapper mapper;

  public ProblemResponses(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** Ends the response with the problem, unless it has ended already. */
  void send(HttpServerResponse response, Problem problem) {
    if (response.ended()) {
      return;
    }
    try {
      response
          .setStatusCode(problem.status())
          .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
          .end(mapper.writeValueAsString(problem));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
