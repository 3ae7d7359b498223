package io.llmft.common.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.llmft.common.store.InvalidFieldException;
import io.llmft.common.store.NotFoundException;
import io.llmft.contract.MessageReader;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of every service's REST API as {@code application/problem+json}. */
public class ProblemMapper {
  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

  @ServerExceptionMapper
  public Response problem(ProblemException e) {
    return respond(e.toProblem());
  }

  @ServerExceptionMapper
  public Response notFound(NotFoundException e) {
    return respond(new Problem("about:blank", "Not found", 404, e.getMessage(), List.of()));
  }

  @ServerExceptionMapper
  public Response invalidField(InvalidFieldException e) {
    return respond(ProblemException.invalid(e.field(), e.reason()).toProblem());
  }

  @ServerExceptionMapper
  public Response badJson(JsonProcessingException e) {
    if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      String field = MessageReader.fieldPath(mapping.getPath());
      String message =
          e instanceof UnrecognizedPropertyException
              ? "unknown field"
              : e.getCause() instanceof StreamConstraintsException limit
                  ? limit.getOriginalMessage()
                  : "has the wrong type or format";
      return respond(ProblemException.invalid(List.of(new FieldError(field, message))).toProblem());
    }
    String field = fieldAtParser(e);
    if (field != null) {
      // a number out of its type's range, say: the parser knows where it was
      return respond(
          ProblemException.invalid(field, "is out of range or malformed: " + e.getOriginalMessage())
              .toProblem());
    }
    return respond(
        new Problem("about:blank", "Malformed JSON", 400, e.getOriginalMessage(), List.of()));
  }

  /** Closer to the exception than Quarkus' own mappers, which answer without naming the field. */
  @ServerExceptionMapper
  public Response mismatched(MismatchedInputException e) {
    return badJson(e);
  }

  /** Malformed JSON, a number out of its type's range, JSON too deep (JsonLimits). */
  @ServerExceptionMapper
  public Response malformed(StreamReadException e) {
    return badJson(e);
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    if (e.getCause() instanceof JsonProcessingException json) {
      // Quarkus' JSON reader wraps what the parser itself refused (a number out of range, depth)
      return badJson(json);
    }
    int status = e.getResponse().getStatus();
    String title =
        Response.Status.fromStatusCode(status) == null
            ? "HTTP " + status
            : Response.Status.fromStatusCode(status).getReasonPhrase();
    return respond(new Problem("about:blank", title, status, e.getMessage(), List.of()));
  }

  /**
   * Anything else, errors included: a 500 problem that names an incident id from the log, never the
   * exception's own text (which may hold paths or file content).
   */
  @ServerExceptionMapper
  public Response unexpected(Throwable e) {
    String incident = UUID.randomUUID().toString();
    LOG.errorf(e, "unexpected error, incident %s", incident);
    return respond(
        new Problem(
            "about:blank",
            "Internal error",
            500,
            "an unexpected error; the service log has it as incident " + incident,
            List.of()));
  }

  /** The field the parser stood at when it failed, or null at the top level. */
  private static String fieldAtParser(JsonProcessingException e) {
    if (!(e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser parser)) {
      return null;
    }
    java.util.Deque<String> parts = new java.util.ArrayDeque<>();
    for (var c = parser.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.push("[" + Math.max(0, c.getCurrentIndex()) + "]");
      } else if (c.getCurrentName() != null) {
        parts.push(c.getCurrentName());
      }
    }
    StringBuilder field = new StringBuilder();
    for (String part : parts) {
      field.append(part.startsWith("[") || field.length() == 0 ? "" : ".").append(part);
    }
    return field.length() == 0 ? null : field.toString();
  }

  private static Response respond(Problem problem) {
    return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
  }
}
