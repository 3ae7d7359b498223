package io.llmft.trainer.rest;

import io.llmft.common.rest.Page;
import io.llmft.trainer.service.FinetunedModels;
import io.llmft.trainer.service.GgufExports;
import io.llmft.trainer.service.ModelMerges;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.net.URI;

/**
 * The finetuned models with their lineage; {@code DELETE} removes one, {@code POST
 * /models/{id}/merge} writes a LoRA model's base with its adapter merged in as a new model; each as
 * a GGUF file with its Ollama Modelfile.
 */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {
  private final FinetunedModels models;
  private final ModelMerges merges;
  private final GgufExports exports;

  public ModelResource(FinetunedModels models, ModelMerges merges, GgufExports exports) {
    this.models = models;
    this.merges = merges;
    this.exports = exports;
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

  @POST
  @Path("/{id}/merge")
  public Response merge(@PathParam("id") String id) {
    String merged = merges.merge(id);
    return Response.created(URI.create("/models/" + merged)).entity(models.get(merged)).build();
  }

  @DELETE
  @Path("/{id}")
  public Response delete(@PathParam("id") String id) {
    models.delete(id);
    return Response.noContent().build();
  }

  /** The model as GGUF for llama.cpp and Ollama, streamed ({@code type}: f32, f16, bf16, q8_0). */
  @GET
  @Path("/{id}/gguf")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public Response gguf(@PathParam("id") String id, @QueryParam("type") String type) {
    GgufExports.Export export = exports.export(id, type);
    return Response.ok((StreamingOutput) export::writeTo)
        .header("Content-Disposition", "attachment; filename=\"" + export.fileName() + "\"")
        .build();
  }

  /** The Ollama Modelfile that runs the {@code type} export, saved beside it. */
  @GET
  @Path("/{id}/modelfile")
  @Produces(MediaType.TEXT_PLAIN)
  public String modelfile(@PathParam("id") String id, @QueryParam("type") String type) {
    return exports.modelfile(id, type);
  }
}
