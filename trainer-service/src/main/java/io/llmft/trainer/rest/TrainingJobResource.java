package io.llmft.trainer.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.contract.TrainingJob;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.jboss.resteasy.reactive.RestStreamElementType;

@Path("/training-jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TrainingJobResource {
  private static final Duration SSE_POLL = Duration.ofMillis(500);

  private final TrainingService service;

  public TrainingJobResource(TrainingService service) {
    this.service = service;
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

  /** The job document each time it changes, until the job ends. */
  @GET
  @Path("/{id}/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  public Multi<TrainingState> events(@PathParam("id") String id) {
    service.get(id);
    AtomicReference<String> last = new AtomicReference<>("");
    AtomicBoolean ended = new AtomicBoolean();
    return Multi.createFrom()
        .ticks()
        .every(SSE_POLL)
        .onOverflow()
        .drop()
        .map(tick -> service.get(id))
        // up to and including the first terminal document
        .select()
        .first(state -> !ended.getAndSet(state.isTerminal()))
        .filter(
            state -> {
              String now = fingerprint(state);
              return !now.equals(last.getAndSet(now));
            });
  }

  private static String fingerprint(TrainingState state) {
    return state.status + "/" + state.step + "/" + state.metrics.size();
  }

  @DELETE
  @Path("/{id}")
  public Response cancel(@PathParam("id") String id) {
    return service.cancelRequest(id);
  }
}
