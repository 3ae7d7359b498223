package io.llmft.trainer.service;

import io.llmft.common.rest.Page;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.NotFoundException;
import io.llmft.contract.ModelDirectory;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.training.EvaluationPoint;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The models this trainer finetuned ({@code models/{id}/} of the artifact store), each with its
 * lineage from the training record saved beside it: base model, dataset, settings, final losses.
 */
@Singleton
public class FinetunedModels {
  private final ArtifactStore store;

  public FinetunedModels(ArtifactStore store) {
    this.store = store;
  }

  /** A finetuned model and where it came from. */
  public record Model(
      String id,
      Instant created,
      long sizeBytes,
      String baseModel,
      String datasetId,
      String promptStyle,
      TrainingState.Lora lora,
      TrainingState.Hyperparameters hyperparameters,
      Long parameterCount,
      TrainingState.Losses initialLosses,
      EvaluationPoint finalLosses,
      Double trainingSeconds) {}

  /** Newest first, {@link Page} by page. */
  public Page<Model> list(Integer limit, String cursor) {
    List<Model> models = new ArrayList<>();
    Path root = store.layout().models();
    if (Files.isDirectory(root)) {
      try (Stream<Path> dirs = Files.list(root)) {
        for (Path dir : dirs.toList()) {
          String id = dir.getFileName().toString();
          if (store.layout().hasModel(id)) {
            models.add(describe(id));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Page.of(models, m -> new Page.Key(m.created().toEpochMilli(), m.id()), limit, cursor);
  }

  /**
   * @throws NotFoundException when there is no such model
   */
  public Model get(String id) {
    if (!store.layout().hasModel(id)) {
      throw new NotFoundException("model", id);
    }
    return describe(id);
  }

  /**
   * Removes the model: its link is renamed away first, so no reader ever sees half a model, then
   * its files are deleted ({@link HfCheckpoint#delete}).
   *
   * @throws NotFoundException when there is no such model
   */
  public void delete(String id) {
    get(id);
    try {
      HfCheckpoint.delete(store.layout().model(id));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete model " + id, e);
    }
  }

  private Model describe(String id) {
    Path dir = store.layout().model(id);
    Path record = store.layout().modelTrainingRecord(id);
    TrainingState training =
        Files.isRegularFile(record) ? store.readJson(record, TrainingState.class) : null;
    Instant created;
    long size;
    try {
      created = Files.getLastModifiedTime(dir.resolve(ModelDirectory.WEIGHTS_FILE)).toInstant();
      try (Stream<Path> files = Files.walk(dir.toRealPath())) {
        size = files.filter(Files::isRegularFile).mapToLong(FinetunedModels::size).sum();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (training == null) {
      return new Model(id, created, size, null, null, null, null, null, null, null, null, null);
    }
    return new Model(
        id,
        created,
        size,
        training.baseModel,
        training.datasetId,
        training.promptStyle,
        training.lora,
        training.hyperparameters,
        training.parameterCount,
        training.initialLosses,
        training.metrics.isEmpty() ? null : training.metrics.get(training.metrics.size() - 1),
        training.trainingSeconds);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }
}
