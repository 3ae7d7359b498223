package io.llmft.scoring.rest;

import io.llmft.common.ProblemException;
import io.llmft.core.messages.ScoringJob;
import io.llmft.scoring.service.ScoringService;
import io.llmft.scoring.service.ScoringState;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;

@Path("/scoring-jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ScoringJobResource {
  private final ScoringService service;

  public ScoringJobResource(ScoringService service) {
    this.service = service;
  }

  @POST
  public Response create(ScoringJob job, @Context UriInfo uri) {
    ScoringService.Accepted<ScoringState> accepted = service.accept(job, null);
    if (!accepted.created()) {
      throw ProblemException.conflict("scoring job '" + accepted.state().id + "' already exists");
    }
    ScoringState state = accepted.state();
    return Response.accepted(Map.of("id", state.id, "status", state.status))
        .location(uri.getAbsolutePathBuilder().path(state.id).build())
        .build();
  }

  @GET
  @Path("/{id}")
  public ScoringState get(@PathParam("id") String id) {
    return service.get(id);
  }
}
