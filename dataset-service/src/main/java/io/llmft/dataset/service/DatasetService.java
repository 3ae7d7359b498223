package io.llmft.dataset.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.job.JobControl;
import io.llmft.common.job.JobTiming;
import io.llmft.common.job.StageService;
import io.llmft.common.job.StageSupport;
import io.llmft.common.rest.Validation;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.common.store.ImportRoots;
import io.llmft.contract.DatasetJob;
import io.llmft.contract.PipelineContext;
import io.llmft.contract.Stage;
import io.llmft.dataset.duplicates.DuplicateFinder;
import io.llmft.dataset.duplicates.DuplicateReport;
import io.llmft.dataset.pipeline.Pipelines;
import io.llmft.text.ChatRows;
import io.llmft.text.Gpt2Tokenizer;
import io.llmft.text.PromptStyle;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Prepares datasets: load, validate entries, split as the book, measure token lengths, store. */
@Singleton
public class DatasetService extends StageService<DatasetJob, DatasetState> {
  static final int MAX_INLINE_ENTRIES = 100_000;

  /** The whole duplicate report, beside the splits. */
  public static final String DUPLICATES_FILE = "duplicates.json";

  static final int MAX_DUPLICATE_KEYS = 16;

  private final DatasetArtifacts artifacts;
  private final ImportRoots imports;
  private final EntrySource source;
  private final ObjectMapper mapper;

  private final SourceUrlPolicy urls;
  private final Pipelines pipelines;
  private final DuplicateSearch duplicateSearch;

  public DatasetService(
      StageSupport support,
      DatasetArtifacts artifacts,
      EntrySource source,
      ImportRoots imports,
      SourceUrlPolicy urls,
      Pipelines pipelines,
      DuplicateSearch duplicateSearch) {
    super(Stage.DATASET, DatasetJob.class, DatasetState.class, "dataset", "ds", support);
    this.pipelines = pipelines;
    this.duplicateSearch = duplicateSearch;
    this.imports = imports;
    this.urls = urls;
    this.artifacts = artifacts;
    this.source = source;
    this.mapper = support.mapper();
  }

  @Override
  protected DatasetState newState(DatasetJob job) {
    DatasetState state = new DatasetState();
    state.name = job.name();
    state.source = EntrySource.describe(job);
    state.format = job.format() != null ? job.format() : DatasetJob.ALPACA;
    state.promptStyle =
        isChat(job)
            ? null
            : job.promptStyle() != null ? job.promptStyle() : PromptStyle.ALPACA.id();
    state.allowedMaxLength =
        job.allowedMaxLength() != null
            ? job.allowedMaxLength()
            : DatasetJob.DEFAULT_ALLOWED_MAX_LENGTH;
    state.trainFraction = fraction(job, true);
    state.testFraction = fraction(job, false);
    state.seed = job.seed();
    if (job.pipeline() != null) {
      pipelines.plan(job.pipeline().id(), Stage.DATASET, job.pipeline());
    }
    return state;
  }

  private static boolean isChat(DatasetJob job) {
    return DatasetJob.CHAT.equals(job.format());
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
          s.builtin() == null || EntrySource.BUILTINS.containsKey(s.builtin()),
          "source.builtin",
          "unknown builtin dataset (known: "
              + String.join(", ", EntrySource.BUILTINS.keySet())
              + ")");
      v.check(
          s.path() == null || imports.resolve(s.path()).filter(Files::isRegularFile).isPresent(),
          "source.path",
          ImportRoots.RULE);
      if (s.url() != null) {
        v.maxLength(s.url(), 2048, "source.url");
        urls.refusal(s.url()).ifPresent(why -> v.check(false, "source.url", why));
      }
    }
    v.check(job.entries() == null || !job.entries().isEmpty(), "entries", "must not be empty");
    v.check(
        job.format() == null || List.of(DatasetJob.ALPACA, DatasetJob.CHAT).contains(job.format()),
        "format",
        "must be alpaca (instruction, input, output) or chat (messages or ShareGPT conversations)");
    if (isChat(job)) {
      v.check(
          job.promptStyle() == null,
          "promptStyle",
          "does not apply to a chat dataset: the model's chat template formats its conversations");
      v.check(
          job.duplicates() == null,
          "duplicates",
          "the near-duplicate search reads alpaca rows' fields; it does not apply to chat rows");
    }
    if (job.promptStyle() != null && !isChat(job)) {
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
    validateDuplicates(job.duplicates(), v);
    v.between(job.allowedMaxLength(), 1, 8192, "allowedMaxLength")
        .maxLength(job.name(), 200, "name")
        .check(
            job.entries() == null || job.entries().size() <= MAX_INLINE_ENTRIES,
            "entries",
            "at most " + MAX_INLINE_ENTRIES + " inline; use a source for more");
    v.throwIfInvalid();
  }

  private static void validateDuplicates(DatasetJob.Duplicates d, Validation v) {
    if (d == null) {
      return;
    }
    v.check(
        d.threshold() == null || (d.threshold() > 0 && d.threshold() < 1),
        "duplicates.threshold",
        "must be above 0 and below 1");
    List<String> keys = DuplicateFinder.keysOf(d);
    v.check(
        keys.size() <= MAX_DUPLICATE_KEYS,
        "duplicates.keys",
        "at most " + MAX_DUPLICATE_KEYS + " keys");
    v.check(
        keys.stream().allMatch(k -> k != null && !k.isBlank() && k.length() <= 100),
        "duplicates.keys",
        "each key must be a non-blank field name of at most 100 characters");
    v.check(new HashSet<>(keys).size() == keys.size(), "duplicates.keys", "must not repeat a key");
    v.between(d.maxPairs(), 1, DatasetJob.Duplicates.MAX_MAX_PAIRS, "duplicates.maxPairs");
    v.check(
        d.drop() == null || keys.containsAll(d.drop()),
        "duplicates.drop",
        "each key dropped by must be one of duplicates.keys " + keys);
  }

  /**
   * Two passes over the source, so that a large dataset is never held whole: the first validates
   * every entry, measures the valid ones' token lengths and keeps what the duplicate search needs
   * of their searched texts, within its budget (past it, the search stops and the dataset goes on);
   * the second writes each kept entry to its split (the book's boundaries for the kept count). A
   * seed shuffles, which needs the kept entries in memory.
   */
  @Override
  protected Map<String, String> execute(DatasetState state, DatasetJob job, JobControl control)
      throws Exception {
    boolean chat = DatasetJob.CHAT.equals(state.format);
    PromptStyle style = chat ? null : PromptStyle.fromId(state.promptStyle);
    Gpt2Tokenizer tokenizer = Gpt2Tokenizer.get();
    ChatStatsCollector chatStats = new ChatStatsCollector();
    List<DatasetState.Rejected> rejected = new ArrayList<>();
    ValidEntries valid = new ValidEntries();
    DuplicateFinder duplicates = duplicateSearch.finder(job.duplicates());
    int[] total = {0};
    try (EntrySource.Entries entries =
        source.open(
            job,
            store.layout().datasetDownload(state.id),
            control,
            note -> {
              state.download = note;
              progress(state, 0);
            })) {
      entries.forEach(
          new EntrySource.EntryConsumer() {
            @Override
            public void accept(int index, JsonNode entry) {
              total[0]++;
              if (chat) {
                try {
                  JsonNode row = ChatRows.normalize(entry);
                  valid.add(index, 0, ChatRows.isPreference(row));
                  chatStats.add(row);
                } catch (ChatRows.Invalid e) {
                  rejected.add(new DatasetState.Rejected(index, e.getMessage()));
                }
                return;
              }
              String reason = EntryRules.rejectionReason(entry);
              if (reason == null) {
                valid.add(
                    index,
                    tokenizer.encode(style.formatTraining(DatasetArtifacts.toEntry(entry))).length,
                    DatasetArtifacts.isPreference(entry));
                duplicates.add(index, entry);
              } else {
                rejected.add(new DatasetState.Rejected(index, reason));
              }
            }

            @Override
            public void unreadable(int index, String reason) {
              total[0]++;
              rejected.add(new DatasetState.Rejected(index, reason));
            }
          });
      control.check();
      if (valid.count == 0) {
        throw new IllegalArgumentException("no valid entry among " + total[0] + " (see rejected)");
      }
      Set<Integer> skipped = new HashSet<>();
      rejected.forEach(r -> skipped.add(r.index()));
      if (duplicates.searches()) {
        DuplicateReport report = duplicates.report(control::check);
        store.writeJson(artifacts.dir(state.id).resolve(DUPLICATES_FILE), report);
        state.duplicates = report.summary();
        report.dropped().forEach(d -> skipped.add(d.index()));
      }
      TokenStatsCollector stats = new TokenStatsCollector(state.allowedMaxLength);
      int preferences = 0;
      for (int k = 0; k < valid.count; k++) {
        if (!skipped.contains(valid.index[k])) {
          stats.add(valid.length[k]);
          preferences += valid.preference.get(k) ? 1 : 0;
        }
      }
      int kept = stats.count();
      int[] bounds = DatasetSplit.boundaries(kept, state.trainFraction, state.testFraction);
      Map<String, Integer> counts = new LinkedHashMap<>();
      counts.put("train", bounds[0]);
      counts.put("validation", kept - bounds[1]);
      counts.put("test", bounds[1] - bounds[0]);
      writeSplits(state, entries, skipped, bounds, chat);
      state.total = total[0];
      state.rejected = rejected;
      state.counts = counts;
      // a chat row's tokens are the model's template's: counted when a training job renders it
      state.tokenStats = chat ? null : stats.result();
      state.chat = chat ? chatStats.result(kept) : null;
      state.kind = preferences == kept ? DatasetArtifacts.PREFERENCE : DatasetArtifacts.INSTRUCTION;
      String name = state.name != null ? state.name : state.id;
      artifacts.writeManifest(
          new DatasetArtifacts.Manifest(
              state.id,
              name,
              state.promptStyle,
              state.allowedMaxLength,
              counts,
              state.kind,
              state.format));
    }
    return Map.of(PipelineContext.DATASET_ID, state.id);
  }

  private void writeSplits(
      DatasetState state,
      EntrySource.Entries entries,
      Set<Integer> skipped,
      int[] bounds,
      boolean chat)
      throws IOException {
    try (DatasetArtifacts.SplitWriter train = artifacts.openSplit(state.id, "train");
        DatasetArtifacts.SplitWriter test = artifacts.openSplit(state.id, "test");
        DatasetArtifacts.SplitWriter validation = artifacts.openSplit(state.id, "validation")) {
      List<JsonNode> shuffled = state.seed == null ? null : new ArrayList<>();
      int[] position = {0};
      entries.forEach(
          (index, read) -> {
            if (skipped.contains(index)) {
              return;
            }
            JsonNode entry = chat ? ChatRows.normalize(read) : read;
            if (shuffled != null) {
              shuffled.add(entry);
              return;
            }
            int p = position[0]++;
            (p < bounds[0] ? train : p < bounds[1] ? test : validation).write(entry);
          });
      if (shuffled != null) {
        Collections.shuffle(shuffled, new Random(state.seed));
        for (int p = 0; p < shuffled.size(); p++) {
          (p < bounds[0] ? train : p < bounds[1] ? test : validation).write(shuffled.get(p));
        }
      }
      train.commit();
      test.commit();
      validation.commit();
    }
  }

  /** The valid entries' source indices, token lengths and kinds, in primitive arrays. */
  private static final class ValidEntries {
    int[] index = new int[1024];
    int[] length = new int[1024];
    final BitSet preference = new BitSet();
    int count;

    void add(int sourceIndex, int tokens, boolean isPreference) {
      if (count == index.length) {
        index = Arrays.copyOf(index, count * 2);
        length = Arrays.copyOf(length, count * 2);
      }
      index[count] = sourceIndex;
      length[count] = tokens;
      preference.set(count, isPreference);
      count++;
    }
  }

  /** A chat dataset's turns by role, one row at a time. */
  private static final class ChatStatsCollector {
    private final Map<String, Long> roles = new java.util.TreeMap<>();
    private long turns;

    void add(JsonNode row) {
      List<JsonNode> all = new ArrayList<>();
      row.get("messages").forEach(all::add);
      for (String answer : new String[] {"chosen", "rejected"}) {
        if (row.has(answer)) {
          all.add(row.get(answer));
        }
      }
      for (JsonNode m : all) {
        turns++;
        roles.merge(m.path("role").asText(), 1L, Long::sum);
      }
    }

    DatasetState.ChatStats result(int rows) {
      return new DatasetState.ChatStats(rows, turns, roles);
    }
  }

  /** Token lengths of the training texts, one at a time. */
  private static final class TokenStatsCollector {
    private final int allowedMaxLength;
    private int count;
    private int min = Integer.MAX_VALUE;
    private int max;
    private long sum;
    private int over;

    TokenStatsCollector(int allowedMaxLength) {
      this.allowedMaxLength = allowedMaxLength;
    }

    void add(int length) {
      count++;
      min = Math.min(min, length);
      max = Math.max(max, length);
      sum += length;
      if (length > allowedMaxLength) {
        over++;
      }
    }

    int count() {
      return count;
    }

    DatasetState.TokenStats result() {
      return new DatasetState.TokenStats(min, max, (double) sum / count, over);
    }
  }

  @Override
  protected JobTiming.Throughput throughput(DatasetState state) {
    return new JobTiming.Throughput(state.total == null ? 0 : state.total, "entries/s");
  }

  @Override
  protected String artifact(DatasetState state) {
    return artifacts.dir(state.id).toString();
  }

  @Override
  protected JsonNode metrics(DatasetState state) {
    return state.counts == null ? null : mapper.valueToTree(state.counts);
  }
}
