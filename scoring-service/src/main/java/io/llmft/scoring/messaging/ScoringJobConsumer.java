package io.llmft.scoring.messaging;

import io.llmft.common.JobMessages;
import io.llmft.core.messages.ScoringJob;
import io.llmft.core.messages.Topics;
import io.llmft.scoring.service.ScoringService;
import io.llmft.scoring.service.ScoringState;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code scoring-jobs}: accepts each job and returns; an invalid message goes to {@code
 * scoring-jobs-dlq}.
 */
@ApplicationScoped
public class ScoringJobConsumer {
  private static final Logger LOG = Logger.getLogger(ScoringJobConsumer.class);

  private final ScoringService service;
  private final JobMessages messages;

  public ScoringJobConsumer(ScoringService service, JobMessages messages) {
    this.service = service;
    this.messages = messages;
  }

  @Incoming(Topics.SCORING_JOBS)
  @Blocking
  public void consume(ConsumerRecord<String, String> record) {
    ScoringJob job = messages.parse(record.value(), ScoringJob.class);
    ScoringService.Accepted<ScoringState> accepted = service.accept(job, record.key());
    if (!accepted.created()) {
      LOG.infof("scoring job %s was accepted before; redelivery ignored", accepted.state().id);
    }
  }
}
