package io.llmft.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.core.messages.JobMessage;
import io.llmft.core.messages.JobStatus;
import io.llmft.core.messages.Stage;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The life of one stage's jobs, the same for every service: validate, store (idempotent by id),
 * announce, run on a worker, record the outcome, continue the pipeline. Subclasses say how to
 * validate a job, what its document starts as, and what running it does.
 *
 * @param <J> the job message / request body
 * @param <S> the job document
 */
public abstract class StageService<J extends JobMessage, S extends JobState> {
  private static final Logger LOG = Logger.getLogger(StageService.class);

  protected final JobStore<S> jobs;
  protected final JobEventPublisher events;
  private final Stage stage;
  private final Class<J> jobType;
  private final String idPrefix;
  private final JobWorkers workers;
  private final PipelineForwarder forwarder;
  private final JobMessages messages;
  private final ObjectMapper mapper;
  private final String label;

  protected StageService(
      Stage stage,
      Class<J> jobType,
      Class<S> stateType,
      String label,
      String idPrefix,
      StageSupport support) {
    this.stage = stage;
    this.jobType = jobType;
    this.idPrefix = idPrefix;
    this.jobs = new JobStore<>(support.store(), stage, stateType, label);
    this.events = support.events();
    this.workers = support.workers();
    this.forwarder = support.forwarder();
    this.messages = support.messages();
    this.mapper = support.mapper();
    this.label = label;
  }

  /** The stored job and whether this call created it. */
  public record Accepted<S>(S state, boolean created) {}

  /**
   * @throws ProblemException 400 naming each invalid field
   */
  protected abstract void validate(J job);

  /** The document of a newly accepted job (id and pipeline id are set by the caller). */
  protected abstract S newState(J job);

  /**
   * Does the job's work, updating {@code state} (and calling {@link #progress}) as it goes.
   *
   * @return the ids this stage produced, for the next pipeline stage
   * @throws JobCancelledException when it was cancelled
   */
  protected abstract Map<String, String> execute(S state, J job) throws Exception;

  /** The artifact directory of a succeeded job, for its event. */
  protected String artifact(S state) {
    return null;
  }

  /** Metrics for the job's events. */
  protected JsonNode metrics(S state) {
    return null;
  }

  public S get(String id) {
    return jobs.get(id);
  }

  /**
   * Validates and stores a new job, then runs it on a worker.
   *
   * @param defaultId the id to use when the job names none (the Kafka key); a new id when null
   */
  public Accepted<S> accept(J job, String defaultId) {
    if (job == null) {
      throw ProblemException.invalid("$", "a JSON body is required");
    }
    validate(job);
    String id =
        job.jobId() != null
            ? job.jobId()
            : defaultId != null ? Ids.require(defaultId, "jobId") : Ids.newId(idPrefix);
    S state = newState(job);
    state.id = id;
    state.pipelineId = job.pipeline() != null ? job.pipeline().id() : null;
    if (!jobs.create(state)) {
      return new Accepted<>(jobs.get(id), false);
    }
    ObjectNode request = mapper.valueToTree(job);
    request.put("jobId", id);
    jobs.saveRequest(id, request);
    events.publish(stage, state);
    workers.submit(() -> run(id));
    return new Accepted<>(state, true);
  }

  /**
   * A {@code POST}: 202 with {@code Location} and {@code {"id", "status"}}, or 409 when a job with
   * this id exists.
   */
  public Response acceptRequest(J job, UriInfo uri) {
    Accepted<S> accepted = accept(job, null);
    if (!accepted.created()) {
      throw ProblemException.conflict(label + " '" + accepted.state().id + "' already exists");
    }
    S state = accepted.state();
    return Response.accepted(Map.of("id", state.id, "status", state.status))
        .location(uri.getAbsolutePathBuilder().path(state.id).build())
        .build();
  }

  /**
   * A job message from Kafka: parsed with the REST body's rules, its id defaulting to the record
   * key; a redelivered one is ignored.
   *
   * @throws ProblemException when it is not a valid job (the consumer then dead-letters it)
   */
  public void acceptMessage(String key, String value) {
    Accepted<S> accepted = accept(messages.parse(value, jobType), key);
    if (!accepted.created()) {
      LOG.infof("%s %s was accepted before; redelivery ignored", label, accepted.state().id);
    }
  }

  /** Restarts the jobs a previous run of the service left unfinished. */
  protected void resumeUnfinished() {
    for (S job : jobs.unfinished()) {
      LOG.infof("restarting %s job %s after a restart", stage.id(), job.id);
      workers.submit(() -> run(job.id));
    }
  }

  /** Saves the document and announces it as progress (0..1). */
  protected void progress(S state, double fraction) {
    jobs.save(state);
    events.publish(stage, state, fraction, metrics(state), null);
  }

  protected void run(String id) {
    S state = jobs.get(id);
    if (state.isTerminal()) {
      return; // cancelled while it waited
    }
    state.status = JobStatus.RUNNING;
    jobs.save(state);
    events.publish(stage, state);
    try {
      J job = jobs.readRequest(id, jobType);
      Map<String, String> produced = execute(state, job);
      finish(state, JobStatus.SUCCEEDED, null);
      forwarder.forward(job.pipeline(), produced);
    } catch (JobCancelledException e) {
      finish(state, JobStatus.CANCELLED, null);
    } catch (Exception e) {
      LOG.errorf(e, "%s job %s failed", stage.id(), id);
      if (state.status == JobStatus.SUCCEEDED) {
        state.error = "succeeded, but the pipeline could not continue: " + message(e);
        jobs.save(state);
        events.publish(stage, state);
      } else {
        finish(state, JobStatus.FAILED, message(e));
      }
    }
  }

  protected void finish(S state, JobStatus status, String error) {
    state.status = status;
    state.error = error;
    jobs.save(state);
    boolean ok = status == JobStatus.SUCCEEDED;
    events.publish(stage, state, ok ? 1.0 : null, metrics(state), ok ? artifact(state) : null);
  }

  private static String message(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }
}
