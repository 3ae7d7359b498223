package io.llmft.common.messaging;

import io.llmft.common.job.OwnedJobs;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Job ownership through the consumer group: partitions assigned to this instance resume their
 * unfinished jobs; partitions revoked (another replica joined, or this one stops) stop theirs at a
 * safe point, before the group hands the partitions on. Named {@value #NAME} in each service's
 * {@code consumer-rebalance-listener.name}.
 */
@ApplicationScoped
@Identifier(JobPartitionListener.NAME)
public class JobPartitionListener implements KafkaConsumerRebalanceListener {
  public static final String NAME = "job-ownership";
  private static final Logger LOG = Logger.getLogger(JobPartitionListener.class);

  private final OwnedPartitions owned;
  private final Instance<OwnedJobs> jobs;

  public JobPartitionListener(OwnedPartitions owned, Instance<OwnedJobs> jobs) {
    this.owned = owned;
    this.jobs = jobs;
  }

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    String topic = partitions.iterator().next().topic();
    List<Integer> ids = partitions.stream().map(TopicPartition::partition).toList();
    owned.assigned(ids, consumer.partitionsFor(topic).size());
    LOG.infof("partitions %s of %s assigned to this instance", ids, topic);
    jobs.get().partitionsAssigned(ids);
  }

  @Override
  public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    List<Integer> ids = partitions.stream().map(TopicPartition::partition).toList();
    owned.revoked(ids);
    LOG.infof("partitions %s revoked from this instance", ids);
    jobs.get().partitionsRevoked(ids);
  }
}
