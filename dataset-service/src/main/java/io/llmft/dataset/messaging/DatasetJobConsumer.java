package io.llmft.dataset.messaging;

import io.llmft.common.JobMessages;
import io.llmft.core.messages.DatasetJob;
import io.llmft.core.messages.Topics;
import io.llmft.dataset.service.DatasetService;
import io.llmft.dataset.service.DatasetState;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code dataset-jobs}: accepts each job (stored, then prepared on a worker) and returns, so the
 * poll loop never waits for a job. A message that is not a valid job throws, which sends it to
 * {@code dataset-jobs-dlq} with the reason in its headers.
 */
@ApplicationScoped
public class DatasetJobConsumer {
  private static final Logger LOG = Logger.getLogger(DatasetJobConsumer.class);

  private final DatasetService service;
  private final JobMessages messages;

  public DatasetJobConsumer(DatasetService service, JobMessages messages) {
    this.service = service;
    this.messages = messages;
  }

  @Incoming(Topics.DATASET_JOBS)
  @Blocking
  public void consume(ConsumerRecord<String, String> record) {
    DatasetJob job = messages.parse(record.value(), DatasetJob.class);
    DatasetService.Accepted<DatasetState> accepted = service.accept(job, record.key());
    if (!accepted.created()) {
      LOG.infof("dataset job %s was accepted before; redelivery ignored", accepted.state().id);
    }
  }
}
