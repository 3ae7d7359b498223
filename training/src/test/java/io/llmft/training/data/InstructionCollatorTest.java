package io.llmft.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.models.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstructionCollatorTest {
  private static final long P = 50256;

  @Test
  void booksExampleBatch() {
    Batch batch =
        new InstructionCollator(1024)
            .collate(List.of(new int[] {0, 1, 2, 3, 4}, new int[] {5, 6}, new int[] {7, 8, 9}));
    assertArrayEquals(
        new long[][] {{0, 1, 2, 3, 4}, {5, 6, P, P, P}, {7, 8, 9, P, P}}, batch.inputs());
    assertArrayEquals(
        new long[][] {{1, 2, 3, 4, P}, {6, P, -100, -100, -100}, {8, 9, P, -100, -100}},
        batch.targets());
    assertEquals(15, batch.tokenCount());
  }

  @Test
  void truncatesToAllowedMaxLength() {
    Batch batch =
        new InstructionCollator(3).collate(List.of(new int[] {0, 1, 2, 3, 4}, new int[] {5}));
    assertArrayEquals(new long[][] {{0, 1, 2}, {5, P, P}}, batch.inputs());
    assertArrayEquals(new long[][] {{1, 2, 3}, {P, -100, -100}}, batch.targets());
  }

  @Test
  void everyPadAfterTheFirstIsIgnoredEvenInsideTheText() {
    // As in the book: the first 50256 of the targets is kept even when it is part of the text.
    Batch batch = new InstructionCollator(1024).collate(List.of(new int[] {1, 50256, 2}));
    assertArrayEquals(new long[][] {{50256, 2, -100}}, batch.targets());
    Batch twice = new InstructionCollator(1024).collate(List.of(new int[] {1, 50256, 50256}));
    assertArrayEquals(new long[][] {{50256, -100, -100}}, twice.targets());
  }

  @Test
  void maskingTheInstructionIgnoresItsTargetsButNotTheLastInstructionToken() {
    // Exercise 7.2: targets[:instruction_length - 1] = -100 after the padding rule.
    Batch batch =
        new InstructionCollator(1024)
            .collate(List.of(new int[] {0, 1, 2, 3, 4}, new int[] {5, 6}), new int[] {3, 1});
    assertArrayEquals(
        new long[][] {{-100, -100, 3, 4, P}, {6, P, -100, -100, -100}}, batch.targets());
    assertArrayEquals(new long[][] {{0, 1, 2, 3, 4}, {5, 6, P, P, P}}, batch.inputs());
  }

  @Test
  void goldenBatchMatchesPyTorchCollate() {
    JsonNode golden = Golden.json().get("batch");
    List<int[]> items = new ArrayList<>();
    golden.get("items").forEach(item -> items.add(Golden.ints(item)));
    Batch batch = new InstructionCollator(1024).collate(items);
    for (int i = 0; i < items.size(); i++) {
      assertArrayEquals(Golden.longs(golden.get("inputs").get(i)), batch.inputs()[i]);
      assertArrayEquals(Golden.longs(golden.get("targets").get(i)), batch.targets()[i]);
    }
  }
}
