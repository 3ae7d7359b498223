package io.llmft.dataset.rest;

import io.llmft.common.rest.Page;
import io.llmft.dataset.pipeline.PipelineView;
import io.llmft.dataset.pipeline.Pipelines;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** Pipelines at a glance, fed by job-events: each stage's job, status, times and numbers. */
@Path("/pipelines")
@Produces(MediaType.APPLICATION_JSON)
public class PipelineResource {
  private final Pipelines pipelines;

  public PipelineResource(Pipelines pipelines) {
    this.pipelines = pipelines;
  }

  @GET
  public Page<PipelineView> list(
      @QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor) {
    return pipelines.list(limit, cursor);
  }

  @GET
  @Path("/{id}")
  public PipelineView get(@PathParam("id") String id) {
    return pipelines.get(id);
  }
}
