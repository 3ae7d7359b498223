package io.llmft.dataset.duplicates;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exact-duplicate groups from 128 bits of each entry's SHA-256 over its searched values (each
 * value's length, then its UTF-8 bytes), so that the values themselves need not be kept: 16 bytes
 * an entry. Entries empty on every searched key are in no group.
 */
final class ExactValues {
  private static final long BLANK = 0;
  private long[] high = new long[1024];
  private long[] low = new long[1024];
  private int count;

  /** The next kept entry's values, one per searched key, "" when it has none. */
  void add(List<String> values) {
    if (count == high.length) {
      high = Arrays.copyOf(high, count * 2);
      low = Arrays.copyOf(low, count * 2);
    }
    if (values.stream().allMatch(String::isEmpty)) {
      high[count] = BLANK;
      low[count] = BLANK;
    } else {
      ByteBuffer digest = ByteBuffer.wrap(sha256(values));
      high[count] = digest.getLong() | 1; // never BLANK
      low[count] = digest.getLong();
    }
    count++;
  }

  /** Groups of two or more entries, by their source indices, in order of their first entry. */
  List<List<Integer>> groups(int[] indices) {
    Map<Fingerprint, List<Integer>> byValues = new HashMap<>();
    List<List<Integer>> groups = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      if (high[p] == BLANK) {
        continue;
      }
      List<Integer> group =
          byValues.computeIfAbsent(
              new Fingerprint(high[p], low[p]),
              f -> {
                List<Integer> fresh = new ArrayList<>();
                groups.add(fresh);
                return fresh;
              });
      group.add(indices[p]);
    }
    groups.removeIf(group -> group.size() < 2);
    return groups;
  }

  private record Fingerprint(long high, long low) {}

  private static byte[] sha256(List<String> values) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String value : values) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
      }
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
