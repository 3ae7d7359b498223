package io.llmft.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.core.messages.JobEvent;
import io.llmft.core.messages.Stage;
import io.llmft.core.messages.Topics;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/** Announces job status changes on {@code job-events}, keyed by job id. */
@ApplicationScoped
public class JobEventPublisher {
  private static final Logger LOG = Logger.getLogger(JobEventPublisher.class);

  private final Emitter<String> emitter;
  private final ObjectMapper mapper;

  public JobEventPublisher(
      @Channel(Topics.JOB_EVENTS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
          Emitter<String> emitter,
      ObjectMapper mapper) {
    this.emitter = emitter;
    this.mapper = mapper;
  }

  public void publish(
      Stage stage, JobState job, Double progress, JsonNode metrics, String artifact) {
    JobEvent event =
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
            Instant.now());
    try {
      String json = mapper.writeValueAsString(event);
      emitter.send(
          Message.of(json)
              .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(job.id).build()));
    } catch (JsonProcessingException | RuntimeException e) {
      // Events are a notification: a broker outage must not fail the job itself.
      LOG.warnf("could not publish %s event for job %s: %s", job.status, job.id, e.toString());
    }
  }

  public void publish(Stage stage, JobState job) {
    publish(stage, job, null, null, null);
  }
}
