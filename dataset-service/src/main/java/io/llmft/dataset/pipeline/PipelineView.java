package io.llmft.dataset.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.llmft.contract.JobStatus;
import io.llmft.contract.Stage;
import java.time.Instant;
import java.util.List;

/**
 * One pipeline at a glance: its stages in order with their jobs, statuses, times and headline
 * numbers, and the pipeline's own status — FAILED or CANCELLED when a stage was, SUCCEEDED when
 * each planned stage has succeeded as often as the plan names it, RUNNING while one has started,
 * else PENDING.
 *
 * @param planned the stages the pipeline's first message asked for (null when it started elsewhere
 *     than here)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PipelineView(
    String id,
    JobStatus status,
    Instant startedAt,
    Instant endedAt,
    List<Stage> planned,
    List<StageRecord> stages) {

  static PipelineView of(String id, List<Stage> planned, List<StageRecord> stages) {
    JobStatus status = JobStatus.PENDING;
    if (stages.stream().anyMatch(s -> s.status() == JobStatus.FAILED)) {
      status = JobStatus.FAILED;
    } else if (stages.stream().anyMatch(s -> s.status() == JobStatus.CANCELLED)) {
      status = JobStatus.CANCELLED;
    } else if (planned != null
        && planned.stream()
            .allMatch(
                p ->
                    stages.stream()
                            .filter(s -> s.stage() == p && s.status() == JobStatus.SUCCEEDED)
                            .count()
                        >= planned.stream().filter(p::equals).count())) {
      status = JobStatus.SUCCEEDED;
    } else if (!stages.isEmpty()) {
      status = JobStatus.RUNNING;
    }
    Instant started =
        stages.stream()
            .map(StageRecord::firstSeen)
            .filter(t -> t != null)
            .min(Instant::compareTo)
            .orElse(null);
    boolean ended = status != JobStatus.PENDING && status != JobStatus.RUNNING;
    Instant end =
        ended
            ? stages.stream()
                .map(StageRecord::endedAt)
                .filter(t -> t != null)
                .max(Instant::compareTo)
                .orElse(null)
            : null;
    return new PipelineView(id, status, started, end, planned, stages);
  }
}
