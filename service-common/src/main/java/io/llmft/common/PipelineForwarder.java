package io.llmft.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.core.messages.Pipeline;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Continues a pipeline after a stage succeeded: publishes the first {@code next} job to its stage's
 * topic (the {@code pipeline-jobs} channel, topic chosen per message).
 */
@ApplicationScoped
public class PipelineForwarder {
  public static final String CHANNEL = "pipeline-jobs";
  private static final Logger LOG = Logger.getLogger(PipelineForwarder.class);

  private final Emitter<String> emitter;
  private final ObjectMapper mapper;

  public PipelineForwarder(@Channel(CHANNEL) Emitter<String> emitter, ObjectMapper mapper) {
    this.emitter = emitter;
    this.mapper = mapper;
  }

  /**
   * Publishes the next job of {@code pipeline}, if any, and waits for the broker's acknowledgement.
   *
   * @return the next job's id, or empty when the pipeline ends here
   * @throws IllegalStateException when the broker does not take the message
   */
  public Optional<String> forward(Pipeline pipeline, Map<String, String> produced) {
    if (pipeline == null) {
      return Optional.empty();
    }
    Optional<Pipeline.NextJob> next = pipeline.continueWith(produced);
    if (next.isEmpty()) {
      return Optional.empty();
    }
    Pipeline.NextJob job = next.get();
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      String json = mapper.writeValueAsString(job.body());
      emitter.send(
          Message.of(json)
              .addMetadata(
                  OutgoingKafkaRecordMetadata.<String>builder()
                      .withTopic(job.stage().topic())
                      .withKey(job.jobId())
                      .build())
              .withAck(
                  () -> {
                    acked.complete(null);
                    return acked;
                  })
              .withNack(
                  e -> {
                    acked.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                  }));
      acked.get(60, TimeUnit.SECONDS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the next pipeline job", e);
    } catch (Exception e) {
      throw new IllegalStateException(
          "could not publish pipeline job " + job.jobId() + " to " + job.stage().topic() + ": " + e,
          e);
    }
    LOG.infof("pipeline %s continues with %s job %s", pipeline.id(), job.stage().id(), job.jobId());
    return Optional.of(job.jobId());
  }
}
