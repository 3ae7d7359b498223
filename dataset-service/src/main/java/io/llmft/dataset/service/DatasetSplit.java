package io.llmft.dataset.service;

import java.util.List;

/**
 * The book's split: the first {@code int(n * train)} entries train, the next {@code int(n * test)}
 * test, the rest validation.
 */
public record DatasetSplit<T>(List<T> train, List<T> test, List<T> validation) {

  public static final double BOOK_TRAIN_FRACTION = 0.85;
  public static final double BOOK_TEST_FRACTION = 0.10;

  /**
   * Where the splits of {@code n} entries end: train is {@code [0, b[0])}, test {@code [b[0],
   * b[1])}, validation {@code [b[1], n)}.
   */
  public static int[] boundaries(int n, double trainFraction, double testFraction) {
    if (trainFraction < 0 || testFraction < 0 || trainFraction + testFraction > 1.0) {
      throw new IllegalArgumentException(
          "split fractions must be non-negative and add up to at most 1");
    }
    int trainEnd = (int) (n * trainFraction);
    return new int[] {trainEnd, trainEnd + (int) (n * testFraction)};
  }

  public static <T> DatasetSplit<T> of(List<T> entries, double trainFraction, double testFraction) {
    int n = entries.size();
    int[] b = boundaries(n, trainFraction, testFraction);
    int trainEnd = b[0];
    int testEnd = b[1];
    return new DatasetSplit<>(
        List.copyOf(entries.subList(0, trainEnd)),
        List.copyOf(entries.subList(trainEnd, testEnd)),
        List.copyOf(entries.subList(testEnd, n)));
  }

  public static <T> DatasetSplit<T> book(List<T> entries) {
    return of(entries, BOOK_TRAIN_FRACTION, BOOK_TEST_FRACTION);
  }
}
