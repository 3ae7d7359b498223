package io.llmft.training.data;

import java.util.Arrays;
import java.util.List;

/**
 * The DPO notebook's {@code custom_collate_fn}: chosen and rejected sequences of a batch are padded
 * with end-of-text to one common length, the longest of either + 1; a mask is false on the padding
 * and on {@code mask[:len(prompt) + 2]} (the prompt and the two tokens after it, so the response
 * header is scored) or, for a conversation, on the prompt with its generation prompt ({@link
 * PreferenceExample#scoredFrom}); ids and masks are then cut to {@code allowedMaxLength}.
 */
public final class PreferenceCollator {
  private final int allowedMaxLength;
  private final int padToken;

  public PreferenceCollator(int allowedMaxLength, int padToken) {
    if (allowedMaxLength <= 0) {
      throw new IllegalArgumentException("allowedMaxLength must be positive");
    }
    this.allowedMaxLength = allowedMaxLength;
    this.padToken = padToken;
  }

  /**
   * Whether the example keeps a scored token after the cut to {@code allowedMaxLength}: one that
   * does not would make the notebook's masked mean divide by zero, so such a pair is left out.
   */
  public boolean scoresSomething(PreferenceExample e) {
    int firstScored = e.scoredFrom();
    return Math.min(e.chosen().length, allowedMaxLength) > firstScored
        && Math.min(e.rejected().length, allowedMaxLength) > firstScored;
  }

  public PreferenceBatch collate(List<PreferenceExample> items) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException("cannot collate an empty batch");
    }
    int common = 0;
    for (PreferenceExample e : items) {
      common = Math.max(common, Math.max(e.chosen().length, e.rejected().length) + 1);
    }
    int length = Math.min(common, allowedMaxLength);
    int b = items.size();
    long[][] chosen = new long[b][];
    long[][] rejected = new long[b][];
    boolean[][] chosenMask = new boolean[b][];
    boolean[][] rejectedMask = new boolean[b][];
    for (int i = 0; i < b; i++) {
      PreferenceExample e = items.get(i);
      chosen[i] = padded(e.chosen(), common, length);
      rejected[i] = padded(e.rejected(), common, length);
      chosenMask[i] = mask(e.chosen().length, e.scoredFrom(), length);
      rejectedMask[i] = mask(e.rejected().length, e.scoredFrom(), length);
    }
    return new PreferenceBatch(chosen, rejected, chosenMask, rejectedMask);
  }

  private long[] padded(int[] sequence, int common, int length) {
    long[] out = new long[common];
    Arrays.fill(out, padToken);
    for (int i = 0; i < sequence.length; i++) {
      out[i] = sequence[i];
    }
    return Arrays.copyOf(out, length);
  }

  private static boolean[] mask(int sequenceLength, int scoredFrom, int length) {
    boolean[] mask = new boolean[length];
    for (int i = Math.min(scoredFrom, length); i < Math.min(sequenceLength, length); i++) {
      mask[i] = true;
    }
    return mask;
  }
}
