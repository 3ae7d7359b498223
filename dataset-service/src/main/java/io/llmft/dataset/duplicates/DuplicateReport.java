package io.llmft.dataset.duplicates;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The duplicates of a dataset, entries named by their index in the source: groups of exact
 * duplicates (equal on every searched key), near-duplicate pairs per key ({@code truncated} names
 * the keys whose search stopped at {@code maxPairs}: their pairs are those among the entries up to
 * the last one listed), and the entries dropped before the split (each with the first entry of its
 * group, which is kept). Served whole by {@code GET /datasets/{id}/duplicates}; the dataset
 * document carries its {@link #summary()}.
 */
@RegisterForReflection
public record DuplicateReport(
    double threshold,
    List<String> keys,
    List<String> drop,
    List<List<Integer>> exact,
    Map<String, List<NearPair>> near,
    List<String> truncated,
    List<Dropped> dropped) {

  @RegisterForReflection
  public record NearPair(int first, int second, double similarity) {}

  @RegisterForReflection
  public record Dropped(int index, int keptIndex) {}

  /**
   * Counts: {@code exactGroups} groups holding {@code exactEntries} entries beyond their first;
   * {@code nearPairs} per key.
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
      int dropped) {}

  public Summary summary() {
    Map<String, Integer> pairs = new LinkedHashMap<>();
    near.forEach((key, list) -> pairs.put(key, list.size()));
    int beyondFirst = exact.stream().mapToInt(group -> group.size() - 1).sum();
    return new Summary(
        threshold, keys, drop, exact.size(), beyondFirst, pairs, truncated, dropped.size());
  }
}
