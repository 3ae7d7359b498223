package io.llmft.dataset.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.contract.JobEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code job-events}, read by the dataset service's own consumer group: every stage's status
 * changes, folded into the pipelines' records. An event that cannot be read is logged and skipped
 * (the topic has no DLQ: it is a log of facts, not of work).
 */
@ApplicationScoped
public class PipelineEventConsumer {
  static final String CHANNEL = "pipeline-events";
  private static final Logger LOG = Logger.getLogger(PipelineEventConsumer.class);

  private final Pipelines pipelines;
  private final ObjectMapper mapper;

  public PipelineEventConsumer(Pipelines pipelines, ObjectMapper mapper) {
    this.pipelines = pipelines;
    this.mapper = mapper;
  }

  @Incoming(CHANNEL)
  @Blocking
  public void consume(ConsumerRecord<String, String> record) {
    JobEvent event;
    try {
      event = mapper.readValue(record.value(), JobEvent.class);
    } catch (Exception e) {
      LOG.warnf(
          "job-events %d/%d is not a job event (%s); skipped",
          record.partition(), record.offset(), e.getMessage());
      return;
    }
    pipelines.record(event);
  }
}
