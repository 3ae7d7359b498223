package io.llmft.scoring.messaging;

import io.llmft.contract.Topics;
import io.llmft.scoring.service.ScoringService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code scoring-jobs}: accepts each job and returns; an invalid message goes to {@code
 * scoring-jobs-dlq}.
 */
@ApplicationScoped
public class ScoringJobConsumer {
  private final ScoringService service;

  public ScoringJobConsumer(ScoringService service) {
    this.service = service;
  }

  /** Accepts the job and returns; a message that is not a valid job throws and is dead-lettered. */
  @Incoming(Topics.SCORING_JOBS)
  @Blocking
  public void consume(ConsumerRecord<String, String> record) {
    service.acceptRecord(record);
  }
}
