package io.llmft.dataset.duplicates;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.contract.DatasetJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Finds a dataset's exact and near duplicates, the book's way ({@code
 * ch07/02_dataset-utilities/find-near-duplicates.py}): per key, the entries with a non-empty text
 * are preprocessed and vectorized together, and every pair above the threshold is reported unless
 * one of the two original texts is at most one character long. Entries are named by their own index
 * (the book's script indexes the whole list with positions in the filtered one, which misaligns
 * after a skipped entry).
 *
 * <p>Entries are added one at a time, in the dataset job's first pass. Only what the search needs
 * is kept: each searched text preprocessed, whether it is long enough to pair, and a fingerprint of
 * the entry's values for the exact groups; never the entry itself. The {@link SearchBudget} bounds
 * the entries and bytes kept and the search's time: past it the search stops, covers what it
 * reached, drops nothing, and its report says which budget and how far it got.
 */
public final class DuplicateFinder {
  private final double threshold;
  private final List<String> keys;
  private final List<String> drop;
  private final int maxPairs;
  private final SearchBudget budget;
  private final SearchPool pool;
  private final Map<String, Column> columns = new LinkedHashMap<>();
  private final ExactValues exact = new ExactValues();
  private int[] indices = new int[1024];
  private int entries;
  private long bytes;
  private DuplicateReport.Stopped stopped;

  public DuplicateFinder(DatasetJob.Duplicates config, SearchBudget budget, SearchPool pool) {
    this.threshold = thresholdOf(config);
    this.keys = keysOf(config);
    this.drop = config == null || config.drop() == null ? List.of() : List.copyOf(config.drop());
    this.maxPairs =
        config == null || config.maxPairs() == null
            ? DatasetJob.Duplicates.DEFAULT_MAX_PAIRS
            : config.maxPairs();
    this.budget = budget;
    this.pool = pool;
    keys.forEach(key -> columns.put(key, new Column()));
  }

  public static double thresholdOf(DatasetJob.Duplicates config) {
    return config == null || config.threshold() == null
        ? DatasetJob.Duplicates.DEFAULT_THRESHOLD
        : config.threshold();
  }

  public static List<String> keysOf(DatasetJob.Duplicates config) {
    return config == null || config.keys() == null
        ? DatasetJob.Duplicates.DEFAULT_KEYS
        : List.copyOf(config.keys());
  }

  public boolean searches() {
    return !keys.isEmpty();
  }

  /** Keeps the entry's searched texts, unless that would exceed the entries or bytes budget. */
  public void add(int index, JsonNode entry) {
    if (!searches() || stopped != null) {
      return;
    }
    List<String> values = new ArrayList<>(keys.size());
    List<String> preprocessed = new ArrayList<>(keys.size());
    long size = 0;
    for (String key : keys) {
      JsonNode value = entry.get(key);
      boolean text = value != null && value.isTextual() && !value.asText().isEmpty();
      values.add(text ? value.asText() : "");
      preprocessed.add(text ? CharNgrams.preprocess(value.asText()) : "");
      size += SearchBudget.bytesOf(preprocessed.get(preprocessed.size() - 1));
    }
    if (entries >= budget.maxEntries()) {
      stopped = stoppedWhileKeeping(SearchBudget.ENTRIES, budget.maxEntries(), index);
      return;
    }
    if (bytes + size > budget.maxBytes()) {
      stopped = stoppedWhileKeeping(SearchBudget.BYTES, budget.maxBytes(), index);
      return;
    }
    if (entries == indices.length) {
      indices = Arrays.copyOf(indices, entries * 2);
    }
    indices[entries] = index;
    for (int k = 0; k < keys.size(); k++) {
      if (!values.get(k).isEmpty()) {
        columns.get(keys.get(k)).add(entries, values.get(k), preprocessed.get(k));
      }
    }
    exact.add(values);
    entries++;
    bytes += size;
  }

  /** The bytes of text kept so far, as the bytes budget counts them. */
  long keptBytes() {
    return bytes;
  }

  private DuplicateReport.Stopped stoppedWhileKeeping(String which, long limit, int index) {
    String config = which.equals(SearchBudget.ENTRIES) ? "max-entries" : "max-bytes";
    return new DuplicateReport.Stopped(
        which,
        limit,
        entries,
        List.of(),
        "the search keeps at most "
            + limit
            + " "
            + (which.equals(SearchBudget.ENTRIES) ? "entries" : "bytes of text")
            + " (duplicates."
            + config
            + "): it covers the first "
            + entries
            + " valid entries; from source index "
            + index
            + " on, entries were not searched, and nothing was dropped");
  }

  /**
   * @param check a safe point, called now and then during the search, that throws to cancel it
   * @throws IllegalArgumentException when a key dropped by has more pairs than {@code maxPairs}:
   *     its groups would be incomplete
   */
  public DuplicateReport report(Runnable check) {
    Instant deadline = budget.clock().instant().plus(budget.timeout());
    BooleanSupplier outOfTime =
        () -> {
          check.run();
          return !budget.clock().instant().isBefore(deadline);
        };
    Map<String, List<DuplicateReport.NearPair>> near = new LinkedHashMap<>();
    List<String> truncated = new ArrayList<>();
    List<String> searched = new ArrayList<>();
    for (String key : keys) {
      Column column = columns.get(key);
      AllPairs.Result result = column.nearPairs(threshold, maxPairs, outOfTime, pool);
      if (!result.truncated() && result.reached() < column.texts.size()) {
        near.put(key, byOwnIndex(result, column));
        stopped = stoppedOutOfTime(key, result.reached(), column.texts.size(), searched);
        break;
      }
      near.put(key, byOwnIndex(result, column));
      searched.add(key);
      if (result.truncated()) {
        truncated.add(key);
      }
    }
    List<DuplicateReport.Dropped> dropped = new ArrayList<>();
    if (stopped == null && !drop.isEmpty()) {
      refuseIncompleteDropKeys(truncated);
      dropped = dropped(near);
    }
    return new DuplicateReport(
        threshold,
        keys,
        drop,
        exact.groups(indices),
        near,
        truncated,
        dropped,
        stopped == null ? null : stopped.withSearched(searched));
  }

  private DuplicateReport.Stopped stoppedOutOfTime(
      String key, int reached, int texts, List<String> searched) {
    return new DuplicateReport.Stopped(
        SearchBudget.TIME,
        budget.timeout().toMillis(),
        entries,
        searched,
        "the search took longer than "
            + budget.timeout()
            + " (duplicates.timeout): it stopped in key '"
            + key
            + "' after "
            + reached
            + " of "
            + texts
            + " texts; its pairs are those among the texts it reached, the later keys were not"
            + " searched, and nothing was dropped");
  }

  private void refuseIncompleteDropKeys(List<String> truncated) {
    for (String key : drop) {
      if (truncated.contains(key)) {
        throw new IllegalArgumentException(
            "'"
                + key
                + "' has more than duplicates.maxPairs ("
                + maxPairs
                + ") near-duplicate pairs, so its groups are unknown and nothing can be dropped by"
                + " it; raise duplicates.threshold or duplicates.maxPairs, or drop by other keys");
      }
    }
  }

  private List<DuplicateReport.Dropped> dropped(Map<String, List<DuplicateReport.NearPair>> near) {
    List<DuplicateReport.Dropped> dropped = new ArrayList<>();
    Groups groups = new Groups(entries);
    Map<Integer, Integer> position = positions();
    drop.forEach(
        key ->
            near.get(key)
                .forEach(p -> groups.join(position.get(p.first()), position.get(p.second()))));
    for (int p = 0; p < entries; p++) {
      int first = groups.first(p);
      if (first != p) {
        dropped.add(new DuplicateReport.Dropped(indices[p], indices[first]));
      }
    }
    return dropped;
  }

  private List<DuplicateReport.NearPair> byOwnIndex(AllPairs.Result result, Column column) {
    List<DuplicateReport.NearPair> pairs = new ArrayList<>();
    for (AllPairs.Pair pair : result.pairs()) {
      pairs.add(
          new DuplicateReport.NearPair(
              indices[column.positions[pair.first()]],
              indices[column.positions[pair.second()]],
              pair.similarity()));
    }
    return pairs;
  }

  private Map<Integer, Integer> positions() {
    Map<Integer, Integer> position = new HashMap<>();
    for (int p = 0; p < entries; p++) {
      position.put(indices[p], p);
    }
    return position;
  }

  /** One key's non-empty texts, preprocessed, by the position of their entry among the kept. */
  private static final class Column {
    private final List<String> texts = new ArrayList<>();
    private final BitSet eligible = new BitSet();
    private int[] positions = new int[1024];

    void add(int position, String original, String preprocessed) {
      int t = texts.size();
      if (t == positions.length) {
        positions = Arrays.copyOf(positions, t * 2);
      }
      positions[t] = position;
      eligible.set(t, original.codePointCount(0, original.length()) > 1);
      texts.add(preprocessed);
    }

    AllPairs.Result nearPairs(
        double threshold, int maxPairs, BooleanSupplier outOfTime, SearchPool pool) {
      boolean[] flags = new boolean[texts.size()];
      for (int t = 0; t < flags.length; t++) {
        flags[t] = eligible.get(t);
      }
      if (outOfTime.getAsBoolean()) {
        return new AllPairs.Result(List.of(), false, 0);
      }
      return AllPairs.above(new TfidfVectors(texts), flags, threshold, maxPairs, outOfTime, pool);
    }
  }

  /** Union-find whose root is always the group's first member. */
  private static final class Groups {
    private final int[] parent;

    Groups(int n) {
      parent = new int[n];
      for (int i = 0; i < n; i++) {
        parent[i] = i;
      }
    }

    int first(int p) {
      while (parent[p] != p) {
        parent[p] = parent[parent[p]];
        p = parent[p];
      }
      return p;
    }

    void join(int a, int b) {
      int ra = first(a);
      int rb = first(b);
      if (ra != rb) {
        parent[Math.max(ra, rb)] = Math.min(ra, rb);
      }
    }
  }
}
