package io.llmft.common.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.utils.Utils;

/**
 * The partitions of this service's job topic that the consumer group gave this instance: the jobs
 * whose ids map to them are this instance's to run.
 */
@ApplicationScoped
public class OwnedPartitions {
  private final Set<Integer> held = ConcurrentHashMap.newKeySet();
  private volatile int partitionCount;

  public boolean holds(int partition) {
    return held.contains(partition);
  }

  void assigned(Collection<Integer> partitions, int count) {
    held.addAll(partitions);
    if (count > 0) {
      partitionCount = count;
    }
  }

  void revoked(Collection<Integer> partitions) {
    held.removeAll(partitions);
  }

  /**
   * The partition Kafka's default partitioner gives a record keyed by {@code jobId}; -1 before this
   * instance has seen the topic.
   */
  public int partitionOf(String jobId) {
    int count = partitionCount;
    return count <= 0
        ? -1
        : Utils.toPositive(Utils.murmur2(jobId.getBytes(StandardCharsets.UTF_8))) % count;
  }
}
