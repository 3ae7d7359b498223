package io.llmft.common.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.config.JobsConfig;
import io.llmft.common.messaging.JobEventFeed;
import io.llmft.common.messaging.JobEventPublisher;
import io.llmft.common.messaging.JobMessages;
import io.llmft.common.messaging.JobPublisher;
import io.llmft.common.messaging.OwnedPartitions;
import io.llmft.common.metrics.JobMetrics;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.tracing.JobTracing;
import jakarta.inject.Singleton;

/** The beans every {@link StageService} needs, injected as one. */
@Singleton
public record StageSupport(
    ArtifactStore store,
    JobWorkers workers,
    JobEventPublisher events,
    JobEventFeed feed,
    JobTracing tracing,
    JobPublisher publisher,
    OwnedPartitions partitions,
    JobMessages messages,
    JobsConfig config,
    ObjectMapper mapper,
    JobMetrics metrics) {}
