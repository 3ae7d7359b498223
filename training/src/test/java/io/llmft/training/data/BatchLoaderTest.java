package io.llmft.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
  private static List<int[]> items(int n) {
    List<int[]> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(new int[] {i});
    }
    return items;
  }

  private static List<Long> firstTokens(List<Batch> batches) {
    List<Long> out = new ArrayList<>();
    batches.forEach(
        b -> {
          for (long[] row : b.inputs()) {
            out.add(row[0]);
          }
        });
    return out;
  }

  @Test
  void dropLastSkipsTheIncompleteBatch() {
    var collator = new InstructionCollator(1024);
    assertEquals(2, new BatchLoader(items(10), 4, false, true, collator, 1).epoch().size());
    assertEquals(3, new BatchLoader(items(10), 4, false, false, collator, 1).epoch().size());
    assertEquals(2, new BatchLoader(items(10), 4, false, false, collator, 1).epoch().get(2).size());
  }

  @Test
  void unshuffledPassesKeepFileOrder() {
    var loader = new BatchLoader(items(6), 2, false, false, new InstructionCollator(1024), 1);
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), firstTokens(loader.epoch()));
  }

  @Test
  void shuffledPassesAreSeededAndDifferPerPass() {
    var a = new BatchLoader(items(50), 5, true, true, new InstructionCollator(1024), 123);
    var b = new BatchLoader(items(50), 5, true, true, new InstructionCollator(1024), 123);
    List<Long> first = firstTokens(a.epoch());
    assertEquals(first, firstTokens(b.epoch()));
    assertNotEquals(first, firstTokens(a.epoch()));
  }
}
