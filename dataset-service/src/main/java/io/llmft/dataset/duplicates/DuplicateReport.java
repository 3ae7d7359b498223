package io.llmft.dataset.duplicates;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The duplicates of a dataset, entries named by their index in the source: groups of exact
 * duplicates (equal on every searched key), near-duplicate pairs per key ({@code truncated} names
 * the keys whose search stopped at {@code maxPairs}: their pairs are those among the entries up to
 * the last one listed), the entries dropped before the split (each with the first entry of its
 * group, which is kept), and, when the search ran out of its {@link SearchBudget}, where it {@code
 * stopped} (null when it ran to the end). Served whole by {@code GET /datasets/{id}/duplicates};
 * the dataset document carries its {@link #summary()}.
 */
@RegisterForReflection
public record DuplicateReport(
    double threshold,
    List<String> keys,
    List<String> drop,
    List<List<Integer>> exact,
    Map<String, List<NearPair>> near,
    List<String> truncated,
    List<Dropped> dropped,
    Stopped stopped) {

  @RegisterForReflection
  public record NearPair(int first, int second, double similarity) {}

  @RegisterForReflection
  public record Dropped(int index, int keptIndex) {}

  /**
   * The search ran out of its {@code budget} ({@code entries}, {@code bytes} or {@code time}) of
   * {@code limit} (entries, bytes, milliseconds): it kept {@code entries} valid entries and
   * searched the keys in {@code keysSearched} to the end; {@code reason} says the rest. The dataset
   * is prepared all the same, with no entry dropped.
   */
  @RegisterForReflection
  public record Stopped(
      String budget, long limit, int entries, List<String> keysSearched, String reason) {
    Stopped withSearched(List<String> keys) {
      return new Stopped(budget, limit, entries, List.copyOf(keys), reason);
    }
  }

  /**
   * Counts: {@code exactGroups} groups holding {@code exactEntries} entries beyond their first;
   * {@code nearPairs} per key; where the search {@code stopped}, if it did.
   */
  @RegisterForReflection
  public record Summary(
      double threshold,
      List<String> keys,
      List<String> drop,
      int exactGroups,
      int exactEntries,
      Map<String, Integer> nearPairs,
      List<String> truncated,
      int dropped,
      Stopped stopped) {}

  public Summary summary() {
    Map<String, Integer> pairs = new LinkedHashMap<>();
    near.forEach((key, list) -> pairs.put(key, list.size()));
    int beyondFirst = exact.stream().mapToInt(group -> group.size() - 1).sum();
    return new Summary(
        threshold,
        keys,
        drop,
        exact.size(),
        beyondFirst,
        pairs,
        truncated,
        dropped.size(),
        stopped);
  }
}
