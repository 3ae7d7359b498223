package io.llmft.common;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Singleton;

/** The beans every {@link StageService} needs, injected as one. */
@Singleton
public record StageSupport(
    ArtifactStore store,
    JobWorkers workers,
    JobEventPublisher events,
    PipelineForwarder forwarder,
    JobMessages messages,
    ObjectMapper mapper) {}
