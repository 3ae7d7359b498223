package io.llmft.common.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.config.JobsConfig;
import io.llmft.common.messaging.JobEventPublisher;
import io.llmft.common.messaging.JobMessages;
import io.llmft.common.messaging.JobPublisher;
import io.llmft.common.messaging.OwnedPartitions;
import io.llmft.common.messaging.PublishException;
import io.llmft.common.rest.ProblemException;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.Ids;
import io.llmft.common.store.JobStore;
import io.llmft.contract.JobMessage;
import io.llmft.contract.JobStatus;
import io.llmft.contract.Pipeline;
import io.llmft.contract.Stage;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

/**
 * The life of one stage's jobs, the same for every service. A job is owned by the instance whose
 * consumer holds the partition of the stage's topic that the job id maps to:
 *
 * <ol>
 *   <li>{@code POST} validates, stores the job PENDING and publishes it keyed by id; it answers 202
 *       once the broker has acknowledged the record.
 *   <li>The owner receives the record, records the job's partition (before the offset is committed)
 *       and runs the job on a worker; partitions assigned after a rebalance or restart resume their
 *       unfinished jobs, partitions revoked stop them at a safe point.
 *   <li>When the work is done, the ids it produced are saved, the pipeline's next job is published
 *       (until the broker acknowledges it), and only then is the job SUCCEEDED; every terminal
 *       status is saved, announced on {@code job-events} until acknowledged, then marked announced.
 * </ol>
 *
 * Subclasses say how to validate a job, what its document starts as, and what running it does.
 *
 * @param <J> the job message / request body
 * @param <S> the job document
 */
public abstract class StageService<J extends JobMessage, S extends JobState> implements OwnedJobs {
  private static final Logger LOG = Logger.getLogger(StageService.class);

  protected final JobStore<S> jobs;
  protected final JobEventPublisher events;
  protected final ArtifactStore store;
  protected final ObjectMapper mapper;
  private final Stage stage;
  private final Class<J> jobType;
  private final String idPrefix;
  private final String label;
  private final JobWorkers workers;
  private final JobPublisher publisher;
  private final OwnedPartitions partitions;
  private final JobMessages messages;
  private final JobsConfig config;
  private final String instance;

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
    this.label = label;
    this.store = support.store();
    this.jobs = new JobStore<>(support.store(), stage, stateType, label);
    this.events = support.events();
    this.workers = support.workers();
    this.publisher = support.publisher();
    this.partitions = support.partitions();
    this.messages = support.messages();
    this.config = support.config();
    this.mapper = support.mapper();
    this.instance = instanceName();
  }

  /**
   * @throws ProblemException 400 naming each invalid field
   */
  protected abstract void validate(J job);

  private void validateAll(J job) {
    if (job.schemaVersion() != null && job.schemaVersion() != JobMessage.SCHEMA_VERSION) {
      throw ProblemException.invalid(
          "schemaVersion", "this service reads version " + JobMessage.SCHEMA_VERSION);
    }
    validate(job);
  }

  /** The document of a newly accepted job (id and pipeline id are set by the caller). */
  protected abstract S newState(J job);

  /**
   * Does the job's work, or what is left of it after an earlier run, updating {@code state} (and
   * calling {@link #progress}) as it goes and checking {@code control} at its safe points.
   *
   * @return the ids this stage produced, for the next pipeline stage
   * @throws JobCancelledException when it was cancelled
   * @throws JobStoppedException when it stopped at a safe point, to be resumed
   */
  protected abstract Map<String, String> execute(S state, J job, JobControl control)
      throws Exception;

  /** The artifact of a succeeded job, for its event. */
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
   * A {@code POST}: 202 with {@code Location} and {@code {"id", "status"}} once the broker took the
   * job; 409 when a job with this id exists; 503 when the broker did not take it.
   */
  public Response acceptRequest(J job, UriInfo uri) {
    if (job == null) {
      throw ProblemException.invalid("$", "a JSON body is required");
    }
    validateAll(job);
    String id = job.jobId() != null ? job.jobId() : Ids.newId(idPrefix);
    S state = newState(job, id);
    ObjectNode request = request(job, id);
    if (!jobs.create(state, request)) {
      throw ProblemException.conflict(label + " '" + id + "' already exists");
    }
    try {
      publisher.publishJob(stage, id, request.toString());
    } catch (PublishException e) {
      jobs.delete(id);
      throw ProblemException.unavailable(
          "the " + label + " was not accepted: " + e.getMessage() + "; try again");
    }
    return Response.accepted(Map.of("id", id, "status", state.status))
        .location(uri.getAbsolutePathBuilder().path(id).build())
        .build();
  }

  /**
   * A {@code DELETE}: the cancel goes through the job's partition to whichever instance owns it;
   * 202 once the broker took it, 409 when the job has ended.
   */
  public Response cancelRequest(String id) {
    S state = jobs.get(id);
    if (state.isTerminal()) {
      throw ProblemException.conflict(label + " '" + id + "' has already ended: " + state.status);
    }
    try {
      publisher.publishCancel(stage, id);
    } catch (PublishException e) {
      throw ProblemException.unavailable("the cancel was not sent: " + e.getMessage());
    }
    return Response.accepted(Map.of("id", id, "status", state.status, "cancelRequested", true))
        .build();
  }

  /**
   * A record of the stage's job topic, received by the instance that holds its partition: a job
   * (stored if new, its partition recorded, then run here) or a command for one.
   *
   * @throws ProblemException when it is not a valid job (the consumer then dead-letters it)
   */
  public void acceptRecord(ConsumerRecord<String, String> record) {
    if (!partitions.holds(record.partition())) {
      LOG.debugf("record of partition %d arrived after it was revoked", record.partition());
      return;
    }
    Header command = record.headers().lastHeader(JobPublisher.COMMAND_HEADER);
    if (command != null) {
      String name = new String(command.value(), StandardCharsets.UTF_8);
      if (!JobPublisher.CANCEL.equals(name)) {
        throw ProblemException.invalid(JobPublisher.COMMAND_HEADER, "unknown command " + name);
      }
      cancelOwned(record.key());
      return;
    }
    J job = messages.parse(record.value(), jobType);
    String id =
        job.jobId() != null
            ? Ids.require(job.jobId(), "jobId")
            : record.key() != null ? Ids.require(record.key(), "jobId") : Ids.newId(idPrefix);
    if (workers.isActive(id)) {
      return; // a redelivery of a job running here
    }
    Optional<S> existing = jobs.find(id);
    S state;
    if (existing.isPresent()) {
      state = existing.get();
      if (!jobs.hasRequest(id)) { // its POST's process ended between the two writes
        jobs.saveRequest(id, request(job, id));
      }
    } else {
      validateAll(job);
      state = newState(job, id);
      state.partition = record.partition();
      if (jobs.create(state, request(job, id))) {
        events.publish(stage, state);
      } else {
        state = jobs.get(id);
      }
    }
    if (state.partition == null) { // a POST's job, first seen by its owner
      state.partition = record.partition();
      jobs.save(state);
      events.publish(stage, state); // PENDING, from the owner: ahead of its RUNNING
    }
    if (state.isTerminal() && state.announced) {
      LOG.infof("%s %s has ended (%s); redelivery ignored", label, id, state.status);
      return;
    }
    schedule(id, state.partition);
  }

  private S newState(J job, String id) {
    S state = newState(job);
    state.id = id;
    state.pipelineId = job.pipeline() != null ? job.pipeline().id() : null;
    return state;
  }

  /** The request a job runs, as stored: the message with its id filled in. */
  private ObjectNode request(J job, String id) {
    ObjectNode request = mapper.valueToTree(job);
    request.put("jobId", id);
    return request;
  }

  @Override
  public void partitionsAssigned(Collection<Integer> assigned) {
    for (S job : jobs.unfinished()) {
      int partition = job.partition != null ? job.partition : partitions.partitionOf(job.id);
      if (assigned.contains(partition) && jobs.hasRequest(job.id) && schedule(job.id, partition)) {
        LOG.infof("resuming %s %s (%s) on this instance", label, job.id, job.status);
      }
    }
  }

  @Override
  public void partitionsRevoked(Collection<Integer> revoked) {
    workers.stopPartitions(revoked, "its partition moved to another instance");
  }

  private boolean schedule(String id, int partition) {
    return workers.submit(id, partition, control -> run(id, control));
  }

  private void cancelOwned(String id) {
    if (id == null || workers.cancel(id)) {
      return;
    }
    jobs.find(id)
        .filter(state -> !state.isTerminal())
        .ifPresent(state -> end(state, JobStatus.CANCELLED, null, new JobControl(id, -1)));
  }

  /** Saves the document and announces it as progress (0..1). */
  protected void progress(S state, double fraction) {
    jobs.saveProgress(state);
    events.publish(stage, state, fraction, metrics(state), null);
  }

  private void run(String id, JobControl control) {
    if (!partitions.holds(control.partition())) {
      return;
    }
    Optional<S> found = jobs.find(id);
    if (found.isEmpty()) {
      return; // a POST whose record never reached the broker removed it
    }
    S state = found.get();
    if (state.isTerminal()) {
      try {
        announce(state, control);
      } catch (JobStoppedException e) {
        LOG.infof("%s %s: its %s event waits for the next owner", label, id, state.status);
      }
      return;
    }
    boolean started = false;
    try {
      control.check();
      if (state.attempts >= config.maxAttempts()) {
        String reason =
            state.lastInterruption != null
                ? state.lastInterruption
                : "its process ended while it ran";
        end(
            state,
            JobStatus.FAILED,
            "gave up after " + state.attempts + " attempts: " + reason,
            control);
        return;
      }
      state.attempts++;
      started = true;
      state.owner = instance;
      state.partition = control.partition();
      state.status = JobStatus.RUNNING;
      state.waiting = null;
      state.lastInterruption = "the process running it ended (attempt " + state.attempts + ")";
      jobs.save(state);
      events.publish(stage, state);
      config.crashPrefix().filter(id::startsWith).ifPresent(p -> crashForTest(id));
      J job = jobs.readRequest(id, jobType);
      if (state.produced == null) {
        state.produced = new TreeMap<>(execute(state, job, control));
        jobs.save(state);
      }
      handOff(job.pipeline(), state.produced, control);
      end(state, JobStatus.SUCCEEDED, null, control);
    } catch (JobStoppedException e) {
      LOG.infof("%s %s: %s; it resumes on its partition's next owner", label, id, e.getMessage());
      if (started) {
        state.attempts--;
      }
      state.owner = null;
      state.waiting = null;
      state.lastInterruption = e.getMessage();
      jobs.save(state);
    } catch (JobCancelledException e) {
      end(state, JobStatus.CANCELLED, null, control);
    } catch (Throwable t) {
      LOG.errorf(t, "%s %s failed", label, id);
      end(state, JobStatus.FAILED, message(t), control);
    }
  }

  private void handOff(Pipeline pipeline, Map<String, String> produced, JobControl control) {
    if (pipeline == null) {
      return;
    }
    Optional<Pipeline.NextJob> next = pipeline.continueWith(produced);
    if (next.isPresent()) {
      try {
        publisher.handOff(next.get(), mapper.writeValueAsString(next.get().body()), control);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot serialise the next pipeline job", e);
      }
    }
  }

  /** Saves the terminal status, then announces it until the broker acknowledged the event. */
  private void end(S state, JobStatus status, String error, JobControl control) {
    try {
      state.status = status;
      state.error = error;
      state.owner = null;
      state.waiting = null;
      state.announced = false;
      if (status != JobStatus.FAILED) {
        state.lastInterruption = null;
      }
      jobs.save(state);
      announce(state, control);
    } catch (JobStoppedException e) {
      LOG.infof("%s %s ended %s; its event is sent by the next owner", label, state.id, status);
    } catch (Throwable t) {
      LOG.errorf(t, "%s %s: could not record its end (%s)", label, state.id, status);
    }
  }

  private void announce(S state, JobControl control) {
    boolean ok = state.status == JobStatus.SUCCEEDED;
    events.publishTerminal(
        stage, state, ok ? 1.0 : null, metrics(state), ok ? artifact(state) : null, control);
    state.announced = true;
    jobs.save(state);
  }

  private static void crashForTest(String id) {
    LOG.errorf("jobs.crash-prefix matches job %s: halting this process (test fault hook)", id);
    Runtime.getRuntime().halt(137);
  }

  private static String message(Throwable t) {
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  private static String instanceName() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (Exception e) {
        host = "unknown-host";
      }
    }
    return host + "/" + ProcessHandle.current().pid();
  }
}
