package io.llmft.common.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.contract.JobEvent;
import io.llmft.contract.Stage;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code job-events} as it happens, for the {@code .../{id}/events} streams. Every instance reads
 * the whole topic in a consumer group of its own (from the latest offset, nothing committed), so a
 * stream opened on any replica is pushed the changes of a job that another replica runs. Until its
 * consumer has partitions it hears nothing; once it has, every open stream reads its document
 * again, so a change made while the feed was joining is not missed.
 */
@ApplicationScoped
@Default
@Identifier(JobEventFeed.CHANNEL)
public class JobEventFeed implements KafkaConsumerRebalanceListener {
  static final String CHANNEL = "job-event-feed";
  private static final Logger LOG = Logger.getLogger(JobEventFeed.class);

  /** Not an event: tells every stream to read its document again. */
  private static final JobEvent REREAD =
      new JobEvent(0, null, null, null, null, null, null, null, null, null);

  private final BroadcastProcessor<JobEvent> events = BroadcastProcessor.create();
  private final ObjectMapper mapper;
  private volatile boolean live;

  public JobEventFeed(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  @Incoming(CHANNEL)
  public void consume(ConsumerRecord<String, String> record) {
    try {
      events.onNext(mapper.readValue(record.value(), JobEvent.class));
    } catch (Exception e) {
      LOG.debugf(
          "job-events %d/%d is not a job event (%s); not streamed",
          record.partition(), record.offset(), e.getMessage());
    }
  }

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    if (!partitions.isEmpty() && !live) {
      live = true;
      events.onNext(REREAD);
    }
  }

  /** Whether the feed hears job-events (its consumer has partitions). */
  public boolean live() {
    return live;
  }

  /**
   * The job's document now, then again each time {@code job-events} announces a change of it, up to
   * and including the first document that {@code ended}; a document equal to the one before is not
   * sent again. Documents are read on a worker thread, one at a time, in order.
   */
  public <S> Multi<S> follow(Stage stage, String jobId, Supplier<S> document, Predicate<S> ended) {
    Multi<Boolean> changes =
        events
            .filter(e -> e == REREAD || (e.stage() == stage && jobId.equals(e.jobId())))
            .map(e -> Boolean.TRUE)
            // a slow client skips notifications, never the latest (each re-reads the document)
            .onOverflow()
            .dropPreviousItems();
    AtomicReference<JsonNode> last = new AtomicReference<>();
    return Multi.createBy()
        .merging()
        .streams(changes, Multi.createFrom().item(Boolean.TRUE))
        .emitOn(Infrastructure.getDefaultWorkerPool())
        .map(change -> document.get())
        .filter(
            doc -> {
              JsonNode now = mapper.valueToTree(doc);
              return !Objects.equals(now, last.getAndSet(now));
            })
        // up to and including the first document that ended: an empty marker follows it
        .onItem()
        .transformToMultiAndConcatenate(
            doc ->
                ended.test(doc)
                    ? Multi.createFrom().items(Optional.of(doc), Optional.<S>empty())
                    : Multi.createFrom().item(Optional.of(doc)))
        .select()
        .first(Optional::isPresent)
        .map(Optional::get);
  }
}
