package io.llmft.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.rest.Page;
import io.llmft.common.rest.ProblemException;
import io.llmft.contract.InferenceJob;
import io.llmft.contract.JobStatus;
import io.llmft.inference.service.InferenceService;
import io.llmft.inference.service.InferenceState;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.jboss.resteasy.reactive.RestStreamElementType;

@Path("/inference-jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InferenceJobResource {
  private final InferenceService service;

  public InferenceJobResource(InferenceService service) {
    this.service = service;
  }

  /** The stage's jobs, newest first: {@code ?status=RUNNING&limit=20&cursor=...}. */
  @GET
  public Page<InferenceState> list(
      @QueryParam("status") String status,
      @QueryParam("limit") Integer limit,
      @QueryParam("cursor") String cursor) {
    return service.list(status, limit, cursor);
  }

  @POST
  public Response create(
      @RequestBody(content = @Content(schema = @Schema(implementation = InferenceJob.class)))
          JsonNode job,
      @Context UriInfo uri) {
    return service.acceptRequest(job, uri);
  }

  @GET
  @Path("/{id}")
  public InferenceState get(@PathParam("id") String id) {
    return service.get(id);
  }

  /** The job document now and each time it changes, until the job ends (Server-Sent Events). */
  @GET
  @Path("/{id}/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  public Multi<InferenceState> events(@PathParam("id") String id) {
    return service.follow(id);
  }

  /**
   * The split's entries with {@code model_response} added: the book's
   * instruction-data-with-response.json.
   */
  @GET
  @Path("/{id}/responses")
  public Response responses(@PathParam("id") String id) {
    InferenceState state = service.get(id);
    if (state.status != JobStatus.SUCCEEDED) {
      throw ProblemException.conflict(
          "inference job '"
              + id
              + "' is "
              + state.status
              + "; its responses exist once it SUCCEEDED");
    }
    return Response.ok(service.responsesFile(id).toFile(), MediaType.APPLICATION_JSON).build();
  }

  /** Cancels the job, whichever replica owns it (the request travels through its partition). */
  @DELETE
  @Path("/{id}")
  public Response cancel(@PathParam("id") String id) {
    return service.cancelRequest(id);
  }

  /** Runs a FAILED or CANCELLED job again under its id, from what it had done (202; else 409). */
  @POST
  @Path("/{id}/retry")
  @Consumes(MediaType.WILDCARD) // no body
  public Response retry(@PathParam("id") String id) {
    return service.retryRequest(id);
  }
}
