package io.llmft.inference.messaging;

import io.llmft.common.JobMessages;
import io.llmft.core.messages.InferenceJob;
import io.llmft.core.messages.Topics;
import io.llmft.inference.service.InferenceService;
import io.llmft.inference.service.InferenceState;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code inference-jobs}: accepts each job and returns; an invalid message goes to {@code
 * inference-jobs-dlq}.
 */
@ApplicationScoped
public class InferenceJobConsumer {
  private static final Logger LOG = Logger.getLogger(InferenceJobConsumer.class);

  private final InferenceService service;
  private final JobMessages messages;

  public InferenceJobConsumer(InferenceService service, JobMessages messages) {
    this.service = service;
    this.messages = messages;
  }

  @Incoming(Topics.INFERENCE_JOBS)
  @Blocking
  public void consume(ConsumerRecord<String, String> record) {
    InferenceJob job = messages.parse(record.value(), InferenceJob.class);
    InferenceService.Accepted<InferenceState> accepted = service.accept(job, record.key());
    if (!accepted.created()) {
      LOG.infof("inference job %s was accepted before; redelivery ignored", accepted.state().id);
    }
  }
}
