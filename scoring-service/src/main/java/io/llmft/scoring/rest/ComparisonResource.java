package io.llmft.scoring.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.rest.ProblemException;
import io.llmft.common.store.NotFoundException;
import io.llmft.contract.ScoringJob;
import io.llmft.scoring.service.ScoringService;
import io.llmft.scoring.service.ScoringState;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

/**
 * Comparisons of two or more response sources by one judge: scoring jobs with a {@code comparison}
 * (also accepted on {@code scoring-jobs} as such a message), run, resumed and retried as any
 * scoring job, their result in the document's {@code comparison}.
 */
@Path("/comparisons")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ComparisonResource {
  private final ScoringService service;

  public ComparisonResource(ScoringService service) {
    this.service = service;
  }

  @POST
  public Response create(
      @RequestBody(content = @Content(schema = @Schema(implementation = ScoringJob.class)))
          JsonNode job,
      @Context UriInfo uri) {
    if (job == null || !job.isObject() || !job.path("comparison").isObject()) {
      throw ProblemException.invalid(
          "comparison", "a comparison names its mode and sources: {\"comparison\": {...}}");
    }
    return service.acceptRequest(job, uri);
  }

  @GET
  @Path("/{id}")
  public ScoringState get(@PathParam("id") String id) {
    ScoringState state = service.get(id);
    if (state.mode == null) {
      throw new NotFoundException("comparison", id);
    }
    return state;
  }

  @DELETE
  @Path("/{id}")
  public Response cancel(@PathParam("id") String id) {
    get(id);
    return service.cancelRequest(id);
  }

  @POST
  @Path("/{id}/retry")
  @Consumes(MediaType.WILDCARD)
  public Response retry(@PathParam("id") String id) {
    get(id);
    return service.retryRequest(id);
  }
}
