package io.llmft.dataset.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DatasetSplitTest {
  @Test
  void booksSplitOf1100EntriesIs935Train110Test55Validation() {
    List<Integer> entries = IntStream.range(0, 1100).boxed().toList();
    DatasetSplit<Integer> split = DatasetSplit.book(entries);
    assertEquals(935, split.train().size());
    assertEquals(110, split.test().size());
    assertEquals(55, split.validation().size());
    assertEquals(0, split.train().get(0));
    assertEquals(935, split.test().get(0));
    assertEquals(1045, split.validation().get(0));
  }

  @Test
  void fractionsAreTruncatedLikePythonInt() {
    DatasetSplit<Integer> split = DatasetSplit.book(IntStream.range(0, 7).boxed().toList());
    assertEquals(5, split.train().size()); // int(5.95)
    assertEquals(0, split.test().size()); // int(0.7)
    assertEquals(2, split.validation().size());
  }
}
