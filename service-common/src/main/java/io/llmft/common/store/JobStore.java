package io.llmft.common.store;

import io.llmft.common.job.JobState;
import io.llmft.contract.Stage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The job documents of one stage ({@code jobs/{stage}/{id}.json}) and the requests they run ({@code
 * jobs/{stage}/requests/{id}.json}). Only a job's owner writes its document after it was created.
 */
public final class JobStore<T extends JobState> {
  private static final Logger LOG = Logger.getLogger(JobStore.class);

  private final ArtifactStore store;
  private final Stage stage;
  private final Class<T> type;
  private final String label;

  public JobStore(ArtifactStore store, Stage stage, Class<T> type, String label) {
    this.store = store;
    this.stage = stage;
    this.type = type;
    this.label = label;
  }

  public Optional<T> find(String id) {
    if (!Ids.isValid(id)) {
      return Optional.empty();
    }
    Path file = store.layout().job(stage, id);
    return Files.isRegularFile(file) ? Optional.of(store.readJson(file, type)) : Optional.empty();
  }

  /**
   * @throws NotFoundException when there is no such job
   */
  public T get(String id) {
    return find(id).orElseThrow(() -> new NotFoundException(label, id));
  }

  /**
   * Stores a new job and the request it runs; false (and nothing changed) when a job with its id
   * exists, also one created by another replica at the same moment.
   */
  public boolean create(T job, Object request) {
    job.createdAt = Instant.now();
    job.updatedAt = job.createdAt;
    if (!store.createJson(store.layout().job(stage, job.id), job)) {
      return false;
    }
    saveRequest(job.id, request);
    return true;
  }

  /** Saves a change of the job's life cycle (status, owner, attempts, outcome) durably. */
  public void save(T job) {
    job.checkWritable();
    job.updatedAt = Instant.now();
    store.writeJson(store.layout().job(stage, job.id), job);
  }

  /**
   * Saves the job's progress figures (step, counts, losses) atomically but without flushing to
   * disk: they change at every step, and what a resumed job needs is in its checkpoints and
   * progress logs.
   */
  public void saveProgress(T job) {
    job.checkWritable();
    job.updatedAt = Instant.now();
    store.updateJson(store.layout().job(stage, job.id), job);
  }

  /** Removes a job whose message never reached the broker. */
  public void delete(String id) {
    try {
      Files.deleteIfExists(store.layout().jobRequest(stage, id));
      Files.deleteIfExists(store.layout().job(stage, id));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove job " + id, e);
    }
  }

  public void saveRequest(String id, Object request) {
    store.writeJson(store.layout().jobRequest(stage, id), request);
  }

  public boolean hasRequest(String id) {
    return Files.isRegularFile(store.layout().jobRequest(stage, id));
  }

  public <R> R readRequest(String id, Class<R> requestType) {
    return store.readJson(store.layout().jobRequest(stage, id), requestType);
  }

  /**
   * Jobs that still need an owner's attention: not ended, or ended without their terminal event
   * acknowledged. An unreadable document is skipped.
   */
  public List<T> unfinished() {
    return all().stream().filter(job -> !job.isTerminal() || !job.announced).toList();
  }

  /** Every readable job document of the stage (an unreadable one is skipped, with a warning). */
  public List<T> all() {
    Path dir = store.layout().jobs(stage);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<T> jobs = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          files
              .filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
              .toList()) {
        try {
          jobs.add(store.readJson(f, type));
        } catch (UncheckedIOException e) {
          LOG.warnf("skipping unreadable job document %s: %s", f, e.getCause());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return jobs;
  }
}
