package io.llmft.common.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.messaging.JobEventFeed;
import io.llmft.common.messaging.JobEventPublisher;
import io.llmft.common.messaging.JobMessages;
import io.llmft.common.messaging.JobPublisher;
import io.llmft.common.messaging.OwnedPartitions;
import io.llmft.common.messaging.PublishException;
import io.llmft.common.rest.Page;
import io.llmft.common.rest.ProblemException;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.Ids;
import io.llmft.common.store.JobStore;
import io.llmft.common.tracing.JobTracing;
import io.llmft.contract.JobMessage;
import io.llmft.contract.JobStatus;
import io.llmft.contract.Stage;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
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
public abstract class StageService<J extends Record & JobMessage, S extends JobState>
    implements OwnedJobs {
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
  private final JobRun<J, S> runs;
  private final JobEventFeed feed;
  private final JobTracing tracing;

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
    this.feed = support.feed();
    this.tracing = support.tracing();
    this.workers = support.workers();
    this.publisher = support.publisher();
    this.partitions = support.partitions();
    this.messages = support.messages();
    this.mapper = support.mapper();
    this.runs = new JobRun<>(this, stage, label, jobType, jobs, support);
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
   * The job's document now and each time it changes, until it ends ({@code GET .../{id}/events}):
   * pushed by {@code job-events}, whichever replica runs the job.
   *
   * @throws io.llmft.common.store.NotFoundException when there is no such job
   */
  public Multi<S> follow(String id) {
    jobs.get(id);
    return feed.follow(stage, id, () -> jobs.get(id), JobState::isTerminal);
  }

  /**
   * A page of the stage's jobs, newest first.
   *
   * @param status only jobs in this status (null: all)
   * @throws ProblemException 400 for an unknown status, a limit out of range or a foreign cursor
   */
  public Page<S> list(String status, Integer limit, String cursor) {
    return JobListing.page(jobs.all(), status, limit, cursor);
  }

  /**
   * A {@code POST}: 202 with {@code Location} and {@code {"id", "status"}} once the broker took the
   * job; 409 when a job with this id exists; 503 when the broker did not take it.
   */
  public Response acceptRequest(JsonNode body, UriInfo uri) {
    J job = messages.parseRequest(body, jobType, this::validateAll);
    String id = job.jobId() != null ? job.jobId() : Ids.newId(idPrefix);
    S state = newState(job, id);
    JobTracing.adopt(state, tracing.currentTraceParent());
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
      publisher.publishCommand(stage, id, JobPublisher.CANCEL);
    } catch (PublishException e) {
      throw ProblemException.unavailable("the cancel was not sent: " + e.getMessage());
    }
    return Response.accepted(Map.of("id", id, "status", state.status, "cancelRequested", true))
        .build();
  }

  /**
   * A {@code POST .../{id}/retry}: a FAILED or CANCELLED job runs again under its id, from what it
   * had done, on whichever instance owns it; 202 once the broker took the command, 409 for a job
   * that is pending, running or succeeded.
   */
  public Response retryRequest(String id) {
    S state = jobs.get(id);
    if (!state.status.isRetriable()) {
      throw ProblemException.conflict(
          label
              + " '"
              + id
              + "' is "
              + state.status
              + ": only a FAILED or CANCELLED job is retried");
    }
    JobStatus ended = state.status;
    state.status = JobStatus.RETRIED; // a client reading it at once sees the retry, not the end
    state.retryRequested = true;
    jobs.save(state);
    try {
      publisher.publishCommand(stage, id, JobPublisher.RETRY);
    } catch (PublishException e) {
      state.status = ended;
      state.retryRequested = null;
      jobs.save(state);
      throw ProblemException.unavailable("the retry was not sent: " + e.getMessage());
    }
    return Response.accepted(Map.of("id", id, "status", state.status, "retryRequested", true))
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
      switch (name) {
        case JobPublisher.CANCEL -> cancelOwned(record.key());
        case JobPublisher.RETRY -> retryOwned(record.key());
        default ->
            throw ProblemException.invalid(
                JobPublisher.COMMAND_HEADER,
                "unknown command "
                    + name
                    + "; one of "
                    + JobPublisher.CANCEL
                    + ", "
                    + JobPublisher.RETRY);
      }
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
      JobTracing.adopt(state, JobTracing.traceParent(record));
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
    return workers.submit(id, partition, control -> runs.run(id, control));
  }

  private void cancelOwned(String id) {
    if (id == null || workers.cancel(id)) {
      return;
    }
    jobs.find(id)
        .filter(state -> !state.isTerminal())
        .ifPresent(state -> runs.end(state, JobStatus.CANCELLED, null, new JobControl(id, -1)));
  }

  /**
   * A retry reached the job's owner: a FAILED or CANCELLED job (marked RETRIED by the request that
   * sent the retry) is RETRIED (announced), its attempts counted afresh, and run again; what its
   * work had written (checkpoints, progress logs) makes it go on from there. A retry that comes
   * while the job's last run still ends here (announcing its end) follows that run. A retry of a
   * job that is not ended that way (already retried, a redelivery) changes nothing.
   *
   * @throws ProblemException when there is no such job (the consumer then dead-letters the record)
   */
  private void retryOwned(String id) {
    if (id == null) {
      throw ProblemException.invalid("jobId", "a retry names its job by the record's key");
    }
    S state =
        jobs.find(id)
            .orElseThrow(() -> ProblemException.invalid("jobId", "no " + label + " '" + id + "'"));
    if (workers.afterRun(id, () -> retryOwned(id))) {
      LOG.infof("%s %s: its last run still ends here; the retry follows it", label, id);
      return;
    }
    boolean asked = state.status == JobStatus.RETRIED && Boolean.TRUE.equals(state.retryRequested);
    if (!state.status.isRetriable() && !asked) {
      LOG.infof("%s %s is %s: the retry changes nothing", label, id, state.status);
      return;
    }
    state.status = JobStatus.RETRIED;
    state.retryRequested = null;
    state.retries++;
    state.error = null;
    state.attempts = 0;
    state.lastInterruption = null;
    state.announced = false;
    jobs.save(state);
    events.publish(stage, state);
    LOG.infof("%s %s retried (%d)", label, id, state.retries);
    schedule(id, state.partition != null ? state.partition : partitions.partitionOf(id));
  }

  /** Saves the document and announces it as progress (0..1). */
  protected void progress(S state, double fraction) {
    runs.progress(state, fraction);
  }

  /** What the stage's pace is counted in (null: none but the share done). */
  protected JobTiming.Throughput throughput(S state) {
    return null;
  }
}
