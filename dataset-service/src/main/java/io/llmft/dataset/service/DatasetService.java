package io.llmft.dataset.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.ArtifactStore;
import io.llmft.common.DatasetArtifacts;
import io.llmft.common.Ids;
import io.llmft.common.JobEventPublisher;
import io.llmft.common.JobStore;
import io.llmft.common.JobWorkers;
import io.llmft.common.PipelineForwarder;
import io.llmft.common.ProblemException;
import io.llmft.common.Validation;
import io.llmft.core.data.DatasetSplit;
import io.llmft.core.messages.DatasetJob;
import io.llmft.core.messages.JobStatus;
import io.llmft.core.messages.PipelineContext;
import io.llmft.core.messages.Stage;
import io.llmft.core.model.GptConfig;
import io.llmft.core.text.Gpt2Tokenizer;
import io.llmft.core.text.PromptStyle;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jboss.logging.Logger;

/** Accepts dataset jobs and prepares them: load, validate entries, split, measure, store. */
@ApplicationScoped
public class DatasetService {
  private static final Logger LOG = Logger.getLogger(DatasetService.class);

  private final JobStore<DatasetState> jobs;
  private final DatasetArtifacts artifacts;
  private final EntrySource source;
  private final JobWorkers workers;
  private final JobEventPublisher events;
  private final PipelineForwarder forwarder;
  private final ObjectMapper mapper;

  public DatasetService(
      ArtifactStore store,
      DatasetArtifacts artifacts,
      EntrySource source,
      JobWorkers workers,
      JobEventPublisher events,
      PipelineForwarder forwarder,
      ObjectMapper mapper) {
    this.jobs = new JobStore<>(store, Stage.DATASET, DatasetState.class, "dataset");
    this.artifacts = artifacts;
    this.source = source;
    this.workers = workers;
    this.events = events;
    this.forwarder = forwarder;
    this.mapper = mapper;
  }

  void resumeUnfinished(@Observes StartupEvent start) {
    for (DatasetState job : jobs.unfinished()) {
      LOG.infof("resuming dataset job %s after a restart", job.id);
      workers.submit(() -> run(job.id));
    }
  }

  public DatasetState get(String id) {
    return jobs.get(id);
  }

  /**
   * Validates and stores a new dataset job, then prepares it on a worker.
   *
   * @param defaultId the id to use when the job names none (the Kafka key); a new id when null
   * @return the stored job, or the existing one when a job with this id was accepted before
   * @throws ProblemException 400 naming each invalid field
   */
  public Accepted accept(DatasetJob job, String defaultId) {
    validate(job);
    String id =
        job.jobId() != null
            ? job.jobId()
            : defaultId != null ? Ids.require(defaultId, "jobId") : Ids.newId("ds");
    DatasetState state = new DatasetState();
    state.id = id;
    state.name = job.name() != null ? job.name() : id;
    state.source = EntrySource.describe(job);
    state.promptStyle = job.promptStyle() != null ? job.promptStyle() : PromptStyle.ALPACA.id();
    state.allowedMaxLength =
        job.allowedMaxLength() != null ? job.allowedMaxLength() : GptConfig.GPT2_CONTEXT_LENGTH;
    state.trainFraction = fraction(job, true);
    state.testFraction = fraction(job, false);
    state.seed = job.seed();
    state.pipelineId = job.pipeline() != null ? job.pipeline().id() : null;
    if (!jobs.create(state)) {
      return new Accepted(jobs.get(id), false);
    }
    storeRequest(id, job);
    events.publish(Stage.DATASET, state);
    workers.submit(() -> run(id));
    return new Accepted(state, true);
  }

  /** The stored job and whether this call created it. */
  public record Accepted(DatasetState state, boolean created) {}

  private static double fraction(DatasetJob job, boolean train) {
    if (job.split() == null) {
      return train ? DatasetSplit.BOOK_TRAIN_FRACTION : DatasetSplit.BOOK_TEST_FRACTION;
    }
    Double value = train ? job.split().train() : job.split().test();
    return value != null
        ? value
        : train ? DatasetSplit.BOOK_TRAIN_FRACTION : DatasetSplit.BOOK_TEST_FRACTION;
  }

  private static void validate(DatasetJob job) {
    Validation v = new Validation();
    v.id(job.jobId(), "jobId");
    DatasetJob.Source s = job.source();
    int sources = (job.entries() != null ? 1 : 0) + (s != null ? 1 : 0);
    v.check(
        sources == 1,
        job.entries() != null ? "entries" : "source",
        "give exactly one of 'source' and 'entries'");
    if (s != null) {
      int kinds =
          (s.builtin() != null ? 1 : 0) + (s.url() != null ? 1 : 0) + (s.path() != null ? 1 : 0);
      v.check(kinds == 1, "source", "give exactly one of 'builtin', 'url' and 'path'");
      v.check(
          s.builtin() == null || s.builtin().equals(EntrySource.BUILTIN_INSTRUCTION_DATA),
          "source.builtin",
          "unknown builtin dataset (known: " + EntrySource.BUILTIN_INSTRUCTION_DATA + ")");
      v.check(
          s.path() == null || Files.isReadable(Path.of(s.path())),
          "source.path",
          "no readable file at this path");
      v.check(s.url() == null || isHttpUrl(s.url()), "source.url", "must be an http or https URL");
    }
    v.check(job.entries() == null || !job.entries().isEmpty(), "entries", "must not be empty");
    if (job.promptStyle() != null) {
      try {
        PromptStyle.fromId(job.promptStyle());
      } catch (IllegalArgumentException e) {
        v.check(false, "promptStyle", e.getMessage());
      }
    }
    if (job.split() != null) {
      double train = fraction(job, true);
      double test = fraction(job, false);
      v.check(train >= 0 && train <= 1, "split.train", "must be between 0 and 1");
      v.check(test >= 0 && test <= 1, "split.test", "must be between 0 and 1");
      v.check(train + test <= 1, "split", "train + test must not exceed 1");
    }
    v.positive(job.allowedMaxLength(), "allowedMaxLength");
    v.throwIfInvalid();
  }

  private static boolean isHttpUrl(String url) {
    try {
      String scheme = URI.create(url).getScheme();
      return "http".equals(scheme) || "https".equals(scheme);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Keeps the original request beside the dataset, so that a restart can redo the job. */
  private void storeRequest(String id, DatasetJob job) {
    ObjectNode request = mapper.valueToTree(job);
    request.put("jobId", id);
    jobs.saveRequest(id, request);
  }

  void run(String id) {
    DatasetState state = jobs.get(id);
    state.status = JobStatus.RUNNING;
    jobs.save(state);
    events.publish(Stage.DATASET, state);
    try {
      DatasetJob job = jobs.readRequest(id, DatasetJob.class);
      prepare(state, source.load(job));
      state.status = JobStatus.SUCCEEDED;
      jobs.save(state);
      events.publish(
          Stage.DATASET,
          state,
          1.0,
          mapper.valueToTree(state.counts),
          artifacts.dir(id).toString());
      forwarder.forward(job.pipeline(), Map.of(PipelineContext.DATASET_ID, id));
    } catch (Exception e) {
      LOG.errorf(e, "dataset job %s failed", id);
      state.status = JobStatus.FAILED;
      state.error = e.getMessage() != null ? e.getMessage() : e.toString();
      jobs.save(state);
      events.publish(Stage.DATASET, state);
    }
  }

  private void prepare(DatasetState state, List<JsonNode> raw) {
    PromptStyle style = PromptStyle.fromId(state.promptStyle);
    List<JsonNode> valid = new ArrayList<>();
    state.rejected = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      String reason = EntryRules.rejectionReason(raw.get(i));
      if (reason == null) {
        valid.add(raw.get(i));
      } else {
        state.rejected.add(new DatasetState.Rejected(i, reason));
      }
    }
    if (valid.isEmpty()) {
      throw new IllegalArgumentException("no valid entry among " + raw.size() + " (see rejected)");
    }
    if (state.seed != null) {
      Collections.shuffle(valid, new Random(state.seed));
    }
    DatasetSplit<JsonNode> split = DatasetSplit.of(valid, state.trainFraction, state.testFraction);
    Map<String, List<JsonNode>> splits = new LinkedHashMap<>();
    splits.put("train", split.train());
    splits.put("validation", split.validation());
    splits.put("test", split.test());
    Map<String, Integer> counts = new LinkedHashMap<>();
    splits.forEach((k, v) -> counts.put(k, v.size()));
    state.total = raw.size();
    state.counts = counts;
    state.tokenStats = tokenStats(valid, style, state.allowedMaxLength);
    artifacts.write(
        new DatasetArtifacts.Manifest(
            state.id, state.name, state.promptStyle, state.allowedMaxLength, counts),
        splits);
  }

  private static DatasetState.TokenStats tokenStats(
      List<JsonNode> entries, PromptStyle style, int allowedMaxLength) {
    Gpt2Tokenizer tokenizer = Gpt2Tokenizer.get();
    int min = Integer.MAX_VALUE;
    int max = 0;
    long sum = 0;
    int over = 0;
    for (JsonNode entry : entries) {
      int n = tokenizer.encode(style.formatTraining(DatasetArtifacts.toEntry(entry))).length;
      min = Math.min(min, n);
      max = Math.max(max, n);
      sum += n;
      if (n > allowedMaxLength) {
        over++;
      }
    }
    return new DatasetState.TokenStats(min, max, (double) sum / entries.size(), over);
  }
}
