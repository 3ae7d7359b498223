package io.llmft.dataset.config;

import io.llmft.dataset.duplicates.DuplicateReport;
import io.llmft.dataset.pipeline.PipelineView;
import io.llmft.dataset.pipeline.StageRecord;
import io.llmft.dataset.service.DatasetState;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * This service's own types that Jackson reads and writes outside the REST signatures, reflective in
 * the native image (the contract's are in service-common's {@code ContractReflection}).
 */
@RegisterForReflection(
    registerFullHierarchy = true,
    targets = {
      DatasetState.class,
      DatasetState.TokenStats.class,
      DatasetState.Rejected.class,
      DuplicateReport.class,
      DuplicateReport.NearPair.class,
      DuplicateReport.Dropped.class,
      DuplicateReport.Summary.class,
      DuplicateReport.Stopped.class,
      StageRecord.class,
      PipelineView.class
    })
public final class NativeReflection {
  private NativeReflection() {}
}
