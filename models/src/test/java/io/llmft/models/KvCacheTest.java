package io.llmft.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The preallocated cache: written in place up to its reserve, moved only past it. */
class KvCacheTest {
  private static NDArray column(NDManager m, int rows, float value) {
    return m.full(new Shape(rows, 2, 1, 3), value); // (B, H, 1, D)
  }

  @Test
  void stepsWriteIntoTheReservedBuffersInPlace() {
    try (NDManager m = NDManager.newBaseManager();
        KvCache cache = new KvCache(1, 8)) {
      NDList first =
          cache.append(0, m.full(new Shape(1, 2, 3, 3), 1f), m.zeros(new Shape(1, 2, 3, 3)));
      cache.advance(3);
      assertEquals(8, cache.capacity(), "the reserve, not the 3 columns written");
      assertEquals(new Shape(1, 2, 3, 3), first.get(0).getShape());
      for (int step = 0; step < 5; step++) {
        NDList all = cache.append(0, column(m, 1, step + 2), column(m, 1, 0));
        cache.advance(1);
        assertEquals(8, cache.capacity(), "no move within the reserve");
        assertEquals(new Shape(1, 2, 4 + step, 3), all.get(0).getShape());
        assertEquals(step + 2, all.get(0).get("0, 0, -1, 0").getFloat());
      }
      NDList past = cache.append(0, column(m, 1, 9), column(m, 1, 0));
      cache.advance(1);
      assertEquals(16, cache.capacity(), "past the reserve the buffers double");
      float[] keys = past.get(0).get("0, 0, :, 0").toFloatArray();
      assertArrayEquals(new float[] {1, 1, 1, 2, 3, 4, 5, 6, 9}, keys);
    }
  }

  @Test
  void rowsJoinRightAlignedAndLeaveWithTheirColumns() {
    try (NDManager m = NDManager.newBaseManager();
        KvCache a = new KvCache(1, 6);
        KvCache b = new KvCache(1, 4)) {
      a.append(0, m.full(new Shape(1, 2, 3, 3), 1f), m.full(new Shape(1, 2, 3, 3), 1f));
      a.advance(3);
      b.append(0, m.full(new Shape(1, 2, 2, 3), 2f), m.full(new Shape(1, 2, 2, 3), 2f));
      b.advance(2);
      assertEquals(0, a.appendRows(b), "the longer rows stay where they are");
      assertEquals(3, a.length());
      NDList both = a.append(0, column(m, 2, 5), column(m, 2, 5));
      a.advance(1);
      assertArrayEquals(new float[] {1, 1, 1, 5}, both.get(0).get("0, 0, :, 0").toFloatArray());
      assertArrayEquals(new float[] {0, 2, 2, 5}, both.get(0).get("1, 0, :, 0").toFloatArray());
      a.keepRows(new long[] {1});
      a.dropLeadingColumns(1);
      NDList left = a.append(0, column(m, 1, 7), column(m, 1, 7));
      a.advance(1);
      assertArrayEquals(new float[] {2, 2, 5, 7}, left.get(0).get("0, 0, :, 0").toFloatArray());
    }
  }
}
