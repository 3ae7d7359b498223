package io.llmft.dataset.duplicates;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.contract.DatasetJob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds a dataset's exact and near duplicates, the book's way ({@code
 * ch07/02_dataset-utilities/find-near-duplicates.py}): per key, the entries with a non-empty text
 * are preprocessed and vectorized together, and every pair above the threshold is reported unless
 * one of the two original texts is at most one character long. Entries are named by their own index
 * (the book's script indexes the whole list with positions in the filtered one, which misaligns
 * after a skipped entry).
 *
 * <p>Entries are added one at a time; only their texts under the searched keys are kept.
 */
public final class DuplicateFinder {
  private final double threshold;
  private final List<String> keys;
  private final List<String> drop;
  private final int maxPairs;
  private final List<Integer> indices = new ArrayList<>();
  private final Map<String, List<String>> texts = new LinkedHashMap<>();

  public DuplicateFinder(DatasetJob.Duplicates config) {
    this.threshold = thresholdOf(config);
    this.keys = keysOf(config);
    this.drop = config == null || config.drop() == null ? List.of() : List.copyOf(config.drop());
    this.maxPairs =
        config == null || config.maxPairs() == null
            ? DatasetJob.Duplicates.DEFAULT_MAX_PAIRS
            : config.maxPairs();
    keys.forEach(key -> texts.put(key, new ArrayList<>()));
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

  public void add(int index, JsonNode entry) {
    if (!searches()) {
      return;
    }
    indices.add(index);
    for (String key : keys) {
      JsonNode value = entry.get(key);
      boolean text = value != null && value.isTextual() && !value.asText().isEmpty();
      texts.get(key).add(text ? value.asText() : null);
    }
  }

  /**
   * @param check a safe point, called now and then during the search
   * @throws IllegalArgumentException when a key dropped by has more pairs than {@code maxPairs}:
   *     its groups would be incomplete
   */
  public DuplicateReport report(Runnable check) {
    Map<String, List<DuplicateReport.NearPair>> near = new LinkedHashMap<>();
    List<String> truncated = new ArrayList<>();
    for (String key : keys) {
      KeyPairs found = nearPairs(texts.get(key), check);
      near.put(key, found.pairs());
      if (found.truncated()) {
        truncated.add(key);
      }
    }
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
    List<DuplicateReport.Dropped> dropped = new ArrayList<>();
    if (!drop.isEmpty()) {
      Groups groups = new Groups(indices.size());
      Map<Integer, Integer> position = positions();
      drop.forEach(
          key ->
              near.get(key)
                  .forEach(p -> groups.join(position.get(p.first()), position.get(p.second()))));
      for (int p = 0; p < indices.size(); p++) {
        int first = groups.first(p);
        if (first != p) {
          dropped.add(new DuplicateReport.Dropped(indices.get(p), indices.get(first)));
        }
      }
    }
    return new DuplicateReport(threshold, keys, drop, exactGroups(), near, truncated, dropped);
  }

  /** One key's pairs by the entries' own indices; truncated as {@link AllPairs.Result} says. */
  private record KeyPairs(List<DuplicateReport.NearPair> pairs, boolean truncated) {}

  private KeyPairs nearPairs(List<String> column, Runnable check) {
    List<Integer> own = new ArrayList<>();
    List<String> present = new ArrayList<>();
    for (int p = 0; p < column.size(); p++) {
      if (column.get(p) != null) {
        own.add(indices.get(p));
        present.add(column.get(p));
      }
    }
    List<String> preprocessed = present.stream().map(CharNgrams::preprocess).toList();
    boolean[] eligible = new boolean[present.size()];
    for (int t = 0; t < eligible.length; t++) {
      eligible[t] = present.get(t).codePointCount(0, present.get(t).length()) > 1;
    }
    AllPairs.Result result =
        AllPairs.above(new TfidfVectors(preprocessed), eligible, threshold, maxPairs, check);
    List<DuplicateReport.NearPair> pairs = new ArrayList<>();
    for (AllPairs.Pair pair : result.pairs()) {
      pairs.add(
          new DuplicateReport.NearPair(
              own.get(pair.first()), own.get(pair.second()), pair.similarity()));
    }
    return new KeyPairs(pairs, result.truncated());
  }

  /** Entries equal on every searched key, not counting entries empty on all of them. */
  private List<List<Integer>> exactGroups() {
    Map<List<String>, List<Integer>> byValues = new HashMap<>();
    List<List<Integer>> groups = new ArrayList<>();
    for (int p = 0; p < indices.size(); p++) {
      List<String> values = new ArrayList<>(keys.size());
      for (String key : keys) {
        values.add(Objects.requireNonNullElse(texts.get(key).get(p), ""));
      }
      if (values.stream().allMatch(String::isEmpty)) {
        continue;
      }
      List<Integer> group =
          byValues.computeIfAbsent(
              values,
              v -> {
                List<Integer> fresh = new ArrayList<>();
                groups.add(fresh);
                return fresh;
              });
      group.add(indices.get(p));
    }
    groups.removeIf(group -> group.size() < 2);
    return groups;
  }

  private Map<Integer, Integer> positions() {
    Map<Integer, Integer> position = new HashMap<>();
    for (int p = 0; p < indices.size(); p++) {
      position.put(indices.get(p), p);
    }
    return position;
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
