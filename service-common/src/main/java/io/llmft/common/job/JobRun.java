package io.llmft.common.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.config.JobsConfig;
import io.llmft.common.messaging.JobEventPublisher;
import io.llmft.common.messaging.JobPublisher;
import io.llmft.common.messaging.OwnedPartitions;
import io.llmft.common.metrics.JobMetrics;
import io.llmft.common.store.JobStore;
import io.llmft.common.tracing.JobTracing;
import io.llmft.contract.JobMessage;
import io.llmft.contract.JobStatus;
import io.llmft.contract.Pipeline;
import io.llmft.contract.Stage;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * How a stage's job runs on the instance that owns it: RUNNING with an attempt counted, the stage's
 * work, the pipeline's next job handed off until the broker took it, then SUCCEEDED; a stop at a
 * safe point leaves it to the partition's next owner, a failure or cancel ends it. Every terminal
 * status is saved, then announced on {@code job-events} until acknowledged.
 */
final class JobRun<J extends Record & JobMessage, S extends JobState> {
  private static final Logger LOG = Logger.getLogger(JobRun.class);

  private final StageService<J, S> service;
  private final Stage stage;
  private final String label;
  private final Class<J> jobType;
  private final JobStore<S> jobs;
  private final JobEventPublisher events;
  private final JobPublisher publisher;
  private final OwnedPartitions partitions;
  private final JobsConfig config;
  private final ObjectMapper mapper;
  private final JobMetrics metrics;
  private final JobTracing tracing;
  private final String instance = instanceName();

  JobRun(
      StageService<J, S> service,
      Stage stage,
      String label,
      Class<J> jobType,
      JobStore<S> jobs,
      StageSupport support) {
    this.service = service;
    this.stage = stage;
    this.label = label;
    this.jobType = jobType;
    this.jobs = jobs;
    this.events = support.events();
    this.publisher = support.publisher();
    this.partitions = support.partitions();
    this.config = support.config();
    this.mapper = support.mapper();
    this.metrics = support.metrics();
    this.tracing = support.tracing();
  }

  /** Runs job {@code id} on its owner, or announces its end when it has ended. */
  void run(String id, JobControl control) {
    if (!partitions.holds(control.partition())) {
      return;
    }
    Optional<S> found = jobs.find(id);
    if (found.isEmpty()) {
      return; // a POST whose record never reached the broker removed it
    }
    S state = found.get();
    state.belongsTo(control);
    if (state.isTerminal()) {
      try {
        announce(state, control);
      } catch (JobStoppedException e) {
        LOG.infof("%s %s: its %s event waits for the next owner", label, id, state.status);
      }
      return;
    }
    boolean started = false;
    long startedAt = System.nanoTime();
    JobStatus ended = null;
    Throwable failure = null;
    JobTracing.Run traced = tracing.start(stage, state);
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
      metrics.runStarted(stage);
      state.owner = instance;
      state.partition = control.partition();
      state.status = JobStatus.RUNNING;
      state.waiting = null;
      state.lastInterruption = "the process running it ended (attempt " + state.attempts + ")";
      time(state, state.timing == null ? 0.0 : state.timing.fraction());
      jobs.save(state);
      events.publish(stage, state);
      J job = jobs.readRequest(id, jobType);
      if (state.produced == null) {
        state.produced = new TreeMap<>(service.execute(state, job, control));
        jobs.save(state);
      }
      handOff(job.pipeline(), state.produced, control);
      ended = JobStatus.SUCCEEDED;
      end(state, ended, null, control);
    } catch (JobFencedException e) {
      LOG.warnf("%s %s: %s; its partition's new owner resumes it", label, id, e.getMessage());
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
      ended = JobStatus.CANCELLED;
      end(state, ended, null, control);
    } catch (Throwable t) {
      LOG.errorf(t, "%s %s failed", label, id);
      failure = t;
      ended = JobStatus.FAILED;
      end(state, ended, message(t), control);
    } finally {
      if (started) {
        metrics.runEnded(stage, ended, java.time.Duration.ofNanos(System.nanoTime() - startedAt));
      }
      traced.ended(ended == null ? "STOPPED" : ended.name(), failure);
      traced.close();
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
  void end(S state, JobStatus status, String error, JobControl control) {
    try {
      state.status = status;
      state.error = error;
      state.owner = null;
      state.waiting = null;
      state.announced = false;
      if (status != JobStatus.FAILED) {
        state.lastInterruption = null;
      }
      if (state.timing != null) {
        time(state, status == JobStatus.SUCCEEDED ? 1.0 : state.timing.fraction());
      }
      jobs.save(state);
      metrics.ended(stage, status);
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
        stage,
        state,
        ok ? 1.0 : null,
        eventMetrics(state),
        ok ? service.artifact(state) : null,
        control);
    state.announced = true;
    jobs.save(state);
  }

  /** Saves the document and announces it as progress (0..1), with its timing. */
  void progress(S state, double fraction) {
    time(state, fraction);
    jobs.saveProgress(state);
    events.publish(stage, state, fraction, eventMetrics(state), null);
  }

  private void time(S state, Double fraction) {
    state.timing = JobTiming.next(state.timing, fraction, service.throughput(state));
  }

  private JsonNode eventMetrics(S state) {
    return JobTiming.addTo(service.metrics(state), state.timing, mapper);
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
