package io.llmft.trainer.service;

import io.llmft.common.rest.ProblemException;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.JobStore;
import io.llmft.common.store.NotFoundException;
import io.llmft.contract.Stage;
import io.llmft.models.ModelConfig;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.gguf.GgufExport;
import io.llmft.models.gguf.GgufType;
import io.llmft.models.gguf.OllamaModelfile;
import io.llmft.text.ChatTemplate;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A finetuned model for llama.cpp and Ollama: its GGUF file, streamed as it is written (nothing is
 * stored), and the Ollama {@code Modelfile} that runs it in the prompt format it was trained in.
 * The export reads the version the model's link shows when it begins, so a model saved again
 * meanwhile does not mix into it.
 */
@Singleton
public class GgufExports {
  private final ArtifactStore store;
  private final JobStore<TrainingState> trainingJobs;

  public GgufExports(ArtifactStore store) {
    this.store = store;
    this.trainingJobs = new JobStore<>(store, Stage.TRAINING, TrainingState.class, "training job");
  }

  /** A GGUF export ready to stream: its file name and the writing. */
  public record Export(String fileName, Path version, GgufType type, String modelId) {
    public void writeTo(OutputStream out) throws IOException {
      GgufExport.write(version, type, modelId, out);
    }
  }

  /**
   * The export of model {@code id} in {@code type} ({@code f32}, {@code f16}, {@code bf16}, {@code
   * q8_0}).
   *
   * @throws ProblemException 400 naming {@code type} for an unknown type; 409 while the model is
   *     being written
   * @throws NotFoundException when there is no such model
   */
  public Export export(String id, String type) {
    GgufType parsed = type(type);
    Path version = version(id);
    String unreadable = HfCheckpoint.unreadable(version);
    if (unreadable != null) { // the trainer saved it: a damaged store, not a bad request
      throw new IllegalStateException("model '" + id + "' cannot be exported: " + unreadable);
    }
    return new Export(fileName(id, parsed), version, parsed, id);
  }

  /**
   * The Ollama Modelfile of model {@code id}, {@code FROM} the file name its {@code type} export is
   * served under.
   */
  public String modelfile(String id, String type) {
    GgufType parsed = type(type);
    Path version = version(id);
    try {
      ModelConfig config = HfCheckpoint.readConfig(version);
      Path record = version.resolve("training.json");
      String promptStyle =
          Files.isRegularFile(record)
              ? store.readJson(record, TrainingState.class).promptStyle
              : null;
      String template = ChatTemplate.forModel(version).map(ChatTemplate::source).orElse(null);
      return OllamaModelfile.of(
          fileName(id, parsed), OllamaModelfile.formatOf(config.family(), promptStyle, template));
    } catch (IOException e) {
      throw new UncheckedIOException("model '" + id + "' cannot be read", e);
    }
  }

  /** {@code ft-1-q8_0.gguf}. */
  public static String fileName(String id, GgufType type) {
    return id + "-" + type.label() + ".gguf";
  }

  private static GgufType type(String type) {
    try {
      return GgufType.parse(type == null ? "f16" : type);
    } catch (IllegalArgumentException e) {
      throw ProblemException.invalid("type", e.getMessage());
    }
  }

  /**
   * The directory the model's link shows now; 409 while its training job has not ended or a first
   * version is being saved, 404 when there is none.
   */
  private Path version(String id) {
    trainingJobs
        .find(id)
        .filter(job -> !job.status.isTerminal())
        .ifPresent(
            job -> {
              throw ProblemException.conflict(
                  "model '"
                      + id
                      + "' is still being written: its training job is "
                      + job.status
                      + "; export it once the job SUCCEEDED");
            });
    if (store.layout().hasModel(id)) {
      try {
        return store.layout().model(id).toRealPath();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (versionBeingSaved(id)) {
      throw ProblemException.conflict("model '" + id + "' is still being written");
    }
    throw new NotFoundException("model", id);
  }

  /** Whether a version of the model is on disk without its link (a first save under way). */
  private boolean versionBeingSaved(String id) {
    Path models = store.layout().models();
    if (!Files.isDirectory(models)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(models)) {
      return entries.anyMatch(p -> p.getFileName().toString().startsWith("." + id + ".v-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
