package io.llmft.dataset.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.DatasetArtifacts;
import io.llmft.common.StageService;
import io.llmft.common.StageSupport;
import io.llmft.common.Validation;
import io.llmft.core.data.DatasetSplit;
import io.llmft.core.messages.DatasetJob;
import io.llmft.core.messages.Pipeline;
import io.llmft.core.messages.PipelineContext;
import io.llmft.core.messages.Stage;
import io.llmft.core.model.GptConfig;
import io.llmft.core.text.Gpt2Tokenizer;
import io.llmft.core.text.PromptStyle;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Prepares datasets: load, validate entries, split as the book, measure token lengths, store. */
@Singleton
public class DatasetService extends StageService<DatasetJob, DatasetState> {
  private final DatasetArtifacts artifacts;
  private final EntrySource source;
  private final ObjectMapper mapper;

  public DatasetService(StageSupport support, DatasetArtifacts artifacts, EntrySource source) {
    super(Stage.DATASET, DatasetJob.class, DatasetState.class, "dataset", "ds", support);
    this.artifacts = artifacts;
    this.source = source;
    this.mapper = support.mapper();
  }

  void onStart(@Observes StartupEvent start) {
    resumeUnfinished();
  }

  @Override
  protected String jobId(DatasetJob job) {
    return job.jobId();
  }

  @Override
  protected Pipeline pipeline(DatasetJob job) {
    return job.pipeline();
  }

  @Override
  protected DatasetState newState(DatasetJob job) {
    DatasetState state = new DatasetState();
    state.name = job.name();
    state.source = EntrySource.describe(job);
    state.promptStyle = job.promptStyle() != null ? job.promptStyle() : PromptStyle.ALPACA.id();
    state.allowedMaxLength =
        job.allowedMaxLength() != null ? job.allowedMaxLength() : GptConfig.GPT2_CONTEXT_LENGTH;
    state.trainFraction = fraction(job, true);
    state.testFraction = fraction(job, false);
    state.seed = job.seed();
    return state;
  }

  private static double fraction(DatasetJob job, boolean train) {
    Double value = job.split() == null ? null : train ? job.split().train() : job.split().test();
    if (value != null) {
      return value;
    }
    return train ? DatasetSplit.BOOK_TRAIN_FRACTION : DatasetSplit.BOOK_TEST_FRACTION;
  }

  @Override
  protected void validate(DatasetJob job) {
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
    double train = fraction(job, true);
    double test = fraction(job, false);
    v.check(train >= 0 && train <= 1, "split.train", "must be between 0 and 1");
    v.check(test >= 0 && test <= 1, "split.test", "must be between 0 and 1");
    v.check(train + test <= 1, "split", "train + test must not exceed 1");
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

  @Override
  protected Map<String, String> execute(DatasetState state, DatasetJob job) throws Exception {
    List<JsonNode> raw = source.load(job);
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
    state.tokenStats =
        tokenStats(valid, PromptStyle.fromId(state.promptStyle), state.allowedMaxLength);
    String name = state.name != null ? state.name : state.id;
    artifacts.write(
        new DatasetArtifacts.Manifest(
            state.id, name, state.promptStyle, state.allowedMaxLength, counts),
        splits);
    return Map.of(PipelineContext.DATASET_ID, state.id);
  }

  @Override
  protected String artifact(DatasetState state) {
    return artifacts.dir(state.id).toString();
  }

  @Override
  protected JsonNode metrics(DatasetState state) {
    return state.counts == null ? null : mapper.valueToTree(state.counts);
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
