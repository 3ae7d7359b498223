package io.llmft.inference.messaging;

import io.llmft.contract.Topics;
import io.llmft.inference.service.InferenceService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code inference-jobs}: accepts each job and returns; an invalid message goes to {@code
 * inference-jobs-dlq}.
 */
@ApplicationScoped
public class InferenceJobConsumer {
  private final InferenceService service;

  public InferenceJobConsumer(InferenceService service) {
    this.service = service;
  }

  /** Accepts the job and returns; a message that is not a valid job throws and is dead-lettered. */
  @Incoming(Topics.INFERENCE_JOBS)
  @Blocking
  public void consume(ConsumerRecord<String, String> record) {
    service.acceptRecord(record);
  }
}
