package io.llmft.trainer.rest;

import io.llmft.common.rest.Page;
import io.llmft.trainer.service.FinetunedModels;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The finetuned models with their lineage; {@code DELETE} removes one. */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {
  private final FinetunedModels models;

  public ModelResource(FinetunedModels models) {
    this.models = models;
  }

  @GET
  public Page<FinetunedModels.Model> list(
      @QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor) {
    return models.list(limit, cursor);
  }

  @GET
  @Path("/{id}")
  public FinetunedModels.Model get(@PathParam("id") String id) {
    return models.get(id);
  }

  @DELETE
  @Path("/{id}")
  public Response delete(@PathParam("id") String id) {
    models.delete(id);
    return Response.noContent().build();
  }
}
