package io.llmft.trainer.messaging;

import io.llmft.contract.Topics;
import io.llmft.trainer.service.TrainingService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code training-jobs}: accepts each job and returns at once (training runs on a worker, for hours
 * if need be); an invalid message goes to {@code training-jobs-dlq}.
 */
@ApplicationScoped
public class TrainingJobConsumer {
  private final TrainingService service;

  public TrainingJobConsumer(TrainingService service) {
    this.service = service;
  }

  /** Accepts the job and returns; a message that is not a valid job throws and is dead-lettered. */
  @Incoming(Topics.TRAINING_JOBS)
  @Blocking
  public void consume(ConsumerRecord<String, String> record) {
    service.acceptRecord(record);
  }
}
