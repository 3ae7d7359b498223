package io.llmft.common.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.config.JobsConfig;
import io.llmft.common.job.JobControl;
import io.llmft.common.job.JobState;
import io.llmft.contract.JobEvent;
import io.llmft.contract.Stage;
import io.llmft.contract.Topics;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Announces job status changes on {@code job-events}, keyed by job id: progress as a notification
 * (a broker outage does not hold the job up), terminal events acknowledged by the broker.
 */
@ApplicationScoped
public class JobEventPublisher {
  private static final Logger LOG = Logger.getLogger(JobEventPublisher.class);

  private final Emitter<String> emitter;
  private final ObjectMapper mapper;
  private final JobsConfig config;

  public JobEventPublisher(
      @Channel(Topics.JOB_EVENTS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
          Emitter<String> emitter,
      ObjectMapper mapper,
      JobsConfig config) {
    this.emitter = emitter;
    this.mapper = mapper;
    this.config = config;
  }

  /** A status or progress event; not waited for. */
  public void publish(
      Stage stage, JobState job, Double progress, JsonNode metrics, String artifact) {
    JobControl.checkCurrentOwned();
    job.checkWritable();
    Acks.send(emitter, key(job), json(stage, job, progress, metrics, artifact))
        .exceptionally(
            e -> {
              LOG.warnf("%s event of job %s not published: %s", job.status, job.id, e.toString());
              return null;
            });
  }

  public void publish(Stage stage, JobState job) {
    publish(stage, job, null, null, null);
  }

  /** The event of a job's end, sent until the broker acknowledged it (or the job must stop). */
  public void publishTerminal(
      Stage stage,
      JobState job,
      Double progress,
      JsonNode metrics,
      String artifact,
      JobControl control) {
    control.checkOwned();
    Acks.sendUntilAcked(
        emitter,
        key(job),
        json(stage, job, progress, metrics, artifact),
        control,
        config.publishBackoff(),
        config.publishMaxBackoff(),
        job.status + " event of job " + job.id);
  }

  private static OutgoingKafkaRecordMetadata<String> key(JobState job) {
    return OutgoingKafkaRecordMetadata.<String>builder().withKey(job.id).build();
  }

  private String json(
      Stage stage, JobState job, Double progress, JsonNode metrics, String artifact) {
    try {
      return mapper.writeValueAsString(
          new JobEvent(
              JobEvent.SCHEMA_VERSION,
              job.id,
              job.pipelineId,
              stage,
              job.status,
              progress,
              metrics,
              artifact,
              job.error,
              Instant.now()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise an event of job " + job.id, e);
    }
  }
}
