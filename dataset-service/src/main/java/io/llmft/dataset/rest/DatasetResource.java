package io.llmft.dataset.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.rest.Page;
import io.llmft.common.rest.ProblemException;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.DatasetJob;
import io.llmft.contract.JobStatus;
import io.llmft.dataset.service.DatasetService;
import io.llmft.dataset.service.DatasetState;
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
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.jboss.resteasy.reactive.RestStreamElementType;

@Path("/datasets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DatasetResource {
  private final DatasetService service;
  private final DatasetArtifacts artifacts;

  public DatasetResource(DatasetService service, DatasetArtifacts artifacts) {
    this.service = service;
    this.artifacts = artifacts;
  }

  /** The stage's jobs, newest first: {@code ?status=RUNNING&limit=20&cursor=...}. */
  @GET
  public Page<DatasetState> list(
      @QueryParam("status") String status,
      @QueryParam("limit") Integer limit,
      @QueryParam("cursor") String cursor) {
    return service.list(status, limit, cursor);
  }

  @POST
  public Response create(
      @RequestBody(content = @Content(schema = @Schema(implementation = DatasetJob.class)))
          JsonNode job,
      @Context UriInfo uri) {
    return service.acceptRequest(job, uri);
  }

  @GET
  @Path("/{id}")
  public DatasetState get(@PathParam("id") String id) {
    return service.get(id);
  }

  /** The job document now and each time it changes, until the job ends (Server-Sent Events). */
  @GET
  @Path("/{id}/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  public Multi<DatasetState> events(@PathParam("id") String id) {
    return service.follow(id);
  }

  @GET
  @Path("/{id}/entries/{split}")
  public Response entries(@PathParam("id") String id, @PathParam("split") String split) {
    java.nio.file.Path file = artifacts.splitFile(id, split);
    succeeded(id, "its splits");
    return Response.ok(file.toFile(), MediaType.APPLICATION_JSON).build();
  }

  /** The whole duplicate report: exact groups, near-duplicate pairs per key, dropped entries. */
  @GET
  @Path("/{id}/duplicates")
  public Response duplicates(@PathParam("id") String id) {
    DatasetState state = succeeded(id, "its duplicates");
    if (state.duplicates == null) {
      throw new ProblemException(
          404,
          "Not found",
          "dataset '" + id + "' was prepared without a duplicate search (duplicates.keys empty)",
          List.of());
    }
    java.nio.file.Path file = artifacts.dir(id).resolve(DatasetService.DUPLICATES_FILE);
    return Response.ok(file.toFile(), MediaType.APPLICATION_JSON).build();
  }

  /** The dataset's document; a 409 saying that {@code what} exists once it succeeded. */
  private DatasetState succeeded(String id, String what) {
    DatasetState state = service.get(id);
    if (state.status != JobStatus.SUCCEEDED) {
      throw ProblemException.conflict(
          "dataset '" + id + "' is " + state.status + ", " + what + " exist once it SUCCEEDED");
    }
    return state;
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
