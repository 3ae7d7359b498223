package io.llmft.common.job;

import java.util.Collection;

/** The jobs of a stage, as the consumer group moves their partitions between instances. */
public interface OwnedJobs {
  /** Resumes the unfinished jobs of these partitions. */
  void partitionsAssigned(Collection<Integer> partitions);

  /** Stops this instance's jobs of these partitions at a safe point and waits for them. */
  void partitionsRevoked(Collection<Integer> partitions);
}
