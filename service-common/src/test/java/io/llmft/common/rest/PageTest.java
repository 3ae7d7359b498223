package io.llmft.common.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageTest {
  record Item(String id, long at) {}

  private static Page<Item> page(List<Item> all, Integer limit, String cursor) {
    return Page.of(all, i -> new Page.Key(i.at(), i.id()), limit, cursor);
  }

  @Test
  void pagesWalkTheListNewestFirstOnceEach() {
    List<Item> all = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      all.add(new Item("job-" + i, 1000 + (i % 3))); // equal times are ordered by id
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      Page<Item> page = page(all, 3, cursor);
      page.items().forEach(i -> seen.add(i.id()));
      cursor = page.nextCursor();
    } while (cursor != null);
    assertEquals(List.of("job-2", "job-5", "job-1", "job-4", "job-0", "job-3", "job-6"), seen);
    assertNull(page(all, 7, null).nextCursor(), "the last page has no cursor");
  }

  @Test
  void aNewerItemDoesNotShiftTheNextPage() {
    List<Item> all = new ArrayList<>(List.of(new Item("a", 3), new Item("b", 2), new Item("c", 1)));
    Page<Item> first = page(all, 2, null);
    all.add(new Item("new", 9));
    assertEquals(List.of(new Item("c", 1)), page(all, 2, first.nextCursor()).items());
  }

  @Test
  void aBadLimitOrCursorIsA400NamingIt() {
    assertEquals(
        "limit",
        assertThrows(ProblemException.class, () -> page(List.of(), 0, null))
            .errors()
            .get(0)
            .field());
    assertEquals(
        "cursor",
        assertThrows(ProblemException.class, () -> page(List.of(), 5, "not-a-cursor"))
            .errors()
            .get(0)
            .field());
  }
}
