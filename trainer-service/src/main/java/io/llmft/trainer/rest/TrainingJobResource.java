package io.llmft.trainer.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.rest.Page;
import io.llmft.contract.TrainingJob;
import io.llmft.trainer.service.LossPlot;
import io.llmft.trainer.service.TrainingService;
import io.llmft.trainer.service.TrainingState;
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
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jfree.chart.JFreeChart;

@Path("/training-jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TrainingJobResource {
  private static final String LOSS_PLOT_SVG = "image/svg+xml";

  private final TrainingService service;

  public TrainingJobResource(TrainingService service) {
    this.service = service;
  }

  /** The stage's jobs, newest first: {@code ?status=RUNNING&limit=20&cursor=...}. */
  @GET
  public Page<TrainingState> list(
      @QueryParam("status") String status,
      @QueryParam("limit") Integer limit,
      @QueryParam("cursor") String cursor) {
    return service.list(status, limit, cursor);
  }

  @POST
  public Response create(
      @RequestBody(content = @Content(schema = @Schema(implementation = TrainingJob.class)))
          JsonNode job,
      @Context UriInfo uri) {
    return service.acceptRequest(job, uri);
  }

  @GET
  @Path("/{id}")
  public TrainingState get(@PathParam("id") String id) {
    return service.get(id);
  }

  /**
   * The book's loss plot of the job so far (training and validation loss against epochs, tokens
   * seen on top): SVG, or PNG for {@code Accept: image/png}.
   */
  @GET
  @Path("/{id}/loss-plot")
  @Produces({LOSS_PLOT_SVG, "image/png"})
  public Response lossPlot(@PathParam("id") String id, @Context HttpHeaders headers) {
    TrainingState state = service.get(id);
    JFreeChart chart =
        LossPlot.chart(
            "Training job " + id + " (" + state.status + ")",
            state.metrics,
            state.hyperparameters == null ? 1 : state.hyperparameters.epochs());
    boolean png =
        headers.getAcceptableMediaTypes().stream()
            .filter(
                t ->
                    t.isCompatible(MediaType.valueOf("image/png"))
                        || t.isCompatible(MediaType.valueOf(LOSS_PLOT_SVG)))
            .findFirst()
            .map(t -> t.getSubtype().equals("png"))
            .orElse(false);
    return png
        ? Response.ok(LossPlot.png(chart), "image/png").build()
        : Response.ok(LossPlot.svg(chart), LOSS_PLOT_SVG).build();
  }

  /** The job document now and each time it changes, until the job ends (Server-Sent Events). */
  @GET
  @Path("/{id}/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  public Multi<TrainingState> events(@PathParam("id") String id) {
    return service.follow(id);
  }

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
