package io.llmft.dataset.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import io.llmft.common.rest.Page;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.Ids;
import io.llmft.common.store.NotFoundException;
import io.llmft.contract.JobEvent;
import io.llmft.contract.Pipeline;
import io.llmft.contract.PipelineStep;
import io.llmft.contract.Stage;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What is known of each pipeline ({@code pipelines/{id}/} of the artifact store): the plan its
 * first message made, and one record per job ({@code jobs/{jobId}.json}) fed by job-events — a
 * pipeline may run a stage twice (SFT then DPO training, the responses of both). A job's events
 * carry its id as key, so one consumer writes a job's record and no two replicas write the same
 * file.
 */
@Singleton
public class Pipelines {
  private static final String PLAN = "plan.json";
  private static final TypeReference<List<Stage>> STAGES = new TypeReference<>() {};

  private final ArtifactStore store;

  public Pipelines(ArtifactStore store) {
    this.store = store;
  }

  /** Records the stages a pipeline will run: the first stage's and those of {@code next}. */
  public void plan(String id, Stage first, Pipeline pipeline) {
    List<Stage> stages = new ArrayList<>(List.of(first));
    pipeline.next().stream().map(PipelineStep::stage).forEach(stages::add);
    Path plan = store.layout().pipeline(id).resolve(PLAN);
    if (!Files.exists(plan)) {
      store.writeJson(plan, stages);
    }
  }

  /**
   * Folds a job-events message into its pipeline's record of the stage (not a pipeline's: no-op).
   */
  public void record(JobEvent event) {
    if (event.pipelineId() == null || !Ids.isValid(event.pipelineId()) || event.stage() == null) {
      return;
    }
    if (!Ids.isValid(event.jobId())) {
      return;
    }
    Path file = jobsDir(event.pipelineId()).resolve(event.jobId() + ".json");
    StageRecord known = Files.isRegularFile(file) ? store.readJson(file, StageRecord.class) : null;
    StageRecord next = known == null ? StageRecord.first(event) : known.with(event);
    if (!next.equals(known)) {
      store.updateJson(file, next);
    }
  }

  /**
   * @throws NotFoundException when nothing is known of the pipeline
   */
  public PipelineView get(String id) {
    Path dir = Ids.isValid(id) ? store.layout().pipeline(id) : null;
    if (dir == null || !Files.isDirectory(dir)) {
      throw new NotFoundException("pipeline", id);
    }
    Path plan = dir.resolve(PLAN);
    List<Stage> planned = null;
    if (Files.isRegularFile(plan)) {
      try {
        planned = store.mapper().readValue(plan.toFile(), STAGES);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<StageRecord> stages = new ArrayList<>();
    Path jobs = jobsDir(id);
    if (Files.isDirectory(jobs)) {
      try (Stream<Path> files = Files.list(jobs)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
          stages.add(store.readJson(file, StageRecord.class));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    // in the order they ran: by stage, then by when each job was first seen
    stages.sort(
        Comparator.comparing(StageRecord::stage)
            .thenComparing(
                StageRecord::firstSeen, Comparator.nullsLast(Comparator.naturalOrder())));
    return PipelineView.of(id, planned, stages);
  }

  /** Newest first, by when the pipeline was first seen. */
  public Page<PipelineView> list(Integer limit, String cursor) {
    List<PipelineView> all = new ArrayList<>();
    Path root = store.layout().pipelines();
    if (Files.isDirectory(root)) {
      try (Stream<Path> dirs = Files.list(root)) {
        for (Path dir : dirs.toList()) {
          String id = dir.getFileName().toString();
          if (Ids.isValid(id)) {
            all.add(get(id));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Page.of(
        all,
        p -> new Page.Key(p.startedAt() == null ? 0 : p.startedAt().toEpochMilli(), p.id()),
        limit,
        cursor);
  }

  private Path jobsDir(String pipelineId) {
    return store.layout().pipeline(pipelineId).resolve("jobs");
  }
}
