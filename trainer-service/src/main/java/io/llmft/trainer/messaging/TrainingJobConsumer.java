package io.llmft.trainer.messaging;

import io.llmft.common.JobMessages;
import io.llmft.core.messages.Topics;
import io.llmft.core.messages.TrainingJob;
import io.llmft.trainer.service.TrainingService;
import io.llmft.trainer.service.TrainingState;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code training-jobs}: accepts each job and returns at once (training runs on a worker, for hours
 * if need be); an invalid message goes to {@code training-jobs-dlq}.
 */
@ApplicationScoped
public class TrainingJobConsumer {
  private static final Logger LOG = Logger.getLogger(TrainingJobConsumer.class);

  private final TrainingService service;
  private final JobMessages messages;

  public TrainingJobConsumer(TrainingService service, JobMessages messages) {
    this.service = service;
    this.messages = messages;
  }

  @Incoming(Topics.TRAINING_JOBS)
  @Blocking
  public void consume(ConsumerRecord<String, String> record) {
    TrainingJob job = messages.parse(record.value(), TrainingJob.class);
    TrainingService.Accepted<TrainingState> accepted = service.accept(job, record.key());
    if (!accepted.created()) {
      LOG.infof("training job %s was accepted before; redelivery ignored", accepted.state().id);
    }
  }
}
