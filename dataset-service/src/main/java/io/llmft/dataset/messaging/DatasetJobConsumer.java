package io.llmft.dataset.messaging;

import io.llmft.contract.Topics;
import io.llmft.dataset.service.DatasetService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code dataset-jobs}: accepts each job (stored, then prepared on a worker) and returns, so the
 * poll loop never waits for a job. A message that is not a valid job throws, which sends it to
 * {@code dataset-jobs-dlq} with the reason in its headers.
 */
@ApplicationScoped
public class DatasetJobConsumer {
  private final DatasetService service;

  public DatasetJobConsumer(DatasetService service) {
    this.service = service;
  }

  /** Accepts the job and returns; a message that is not a valid job throws and is dead-lettered. */
  @Incoming(Topics.DATASET_JOBS)
  @Blocking
  public void consume(ConsumerRecord<String, String> record) {
    service.acceptRecord(record);
  }
}
