package io.llmft.common;

import io.llmft.core.messages.Stage;
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

/** The job documents of one stage, one JSON file per job, written atomically. */
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

  private Path dir() {
    return store.root().resolve("jobs").resolve(stage.id());
  }

  private Path file(String id) {
    Ids.require(id, "id");
    return dir().resolve(id + ".json");
  }

  public Optional<T> find(String id) {
    if (!Ids.isValid(id)) {
      return Optional.empty();
    }
    Path file = file(id);
    return Files.isRegularFile(file) ? Optional.of(store.readJson(file, type)) : Optional.empty();
  }

  /**
   * @throws ProblemException 404 when there is no such job
   */
  public T get(String id) {
    return find(id).orElseThrow(() -> ProblemException.notFound(label, id));
  }

  /** Stores a new job; false (and nothing written) when one with its id exists. */
  public synchronized boolean create(T job) {
    if (Files.exists(file(job.id))) {
      return false;
    }
    job.createdAt = Instant.now();
    save(job);
    return true;
  }

  public synchronized void save(T job) {
    job.updatedAt = Instant.now();
    store.writeJson(file(job.id), job);
  }

  /** Keeps the job's original request, so that a worker (or a restart) can run it. */
  public void saveRequest(String id, Object request) {
    store.writeJson(requestFile(id), request);
  }

  public <R> R readRequest(String id, Class<R> requestType) {
    return store.readJson(requestFile(id), requestType);
  }

  private Path requestFile(String id) {
    Ids.require(id, "id");
    return dir().resolve("requests").resolve(id + ".json");
  }

  /** Jobs left PENDING or RUNNING, e.g. by a restart; an unreadable document is skipped. */
  public List<T> unfinished() {
    if (!Files.isDirectory(dir())) {
      return List.of();
    }
    List<T> jobs = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir())) {
      for (Path f :
          files
              .filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
              .toList()) {
        try {
          T job = store.readJson(f, type);
          if (!job.isTerminal()) {
            jobs.add(job);
          }
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
