package io.llmft.training.data;

import java.util.Arrays;
import java.util.List;

/**
 * The book's {@code custom_collate_fn}: every item gets one end-of-text token and is padded with it
 * to the batch's longest item + 1; inputs drop the last position, targets the first; in the targets
 * every pad token after the first becomes {@link #IGNORE_INDEX}; both are then cut to {@code
 * allowedMaxLength}.
 */
public final class InstructionCollator {
  /** GPT-2's end-of-text, the book's {@code pad_token_id}. */
  public static final int GPT2_PAD_TOKEN = 50256;

  public static final int IGNORE_INDEX = -100;

  private final int allowedMaxLength;
  private final int padToken;

  /** A GPT-2 collator: padded with end-of-text 50256. */
  public InstructionCollator(int allowedMaxLength) {
    this(allowedMaxLength, GPT2_PAD_TOKEN);
  }

  /**
   * @param allowedMaxLength the longest sequence kept; the model's context length by default
   * @param padToken the model's end-of-text id: the first one after an item is a target, the rest
   *     are -100
   */
  public InstructionCollator(int allowedMaxLength, int padToken) {
    if (allowedMaxLength <= 0) {
      throw new IllegalArgumentException("allowedMaxLength must be positive");
    }
    this.allowedMaxLength = allowedMaxLength;
    this.padToken = padToken;
  }

  public Batch collate(List<int[]> items) {
    return collate(items, null);
  }

  /**
   * The book's Exercise 7.2 (masking the instruction): after the usual padding rule, {@code
   * targets[:instructionLength - 1] = -100} for each item, where {@code instructionLength} is the
   * token count of the formatted instruction and input alone.
   *
   * @param instructionLengths one per item, or null to mask nothing
   */
  public Batch collate(List<int[]> items, int[] instructionLengths) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException("cannot collate an empty batch");
    }
    int batchMaxLength = 0;
    for (int[] item : items) {
      batchMaxLength = Math.max(batchMaxLength, item.length + 1);
    }
    int length = Math.min(batchMaxLength - 1, allowedMaxLength);
    long[][] inputs = new long[items.size()][];
    long[][] targets = new long[items.size()][];
    for (int b = 0; b < items.size(); b++) {
      int[] item = items.get(b);
      long[] padded = new long[batchMaxLength];
      Arrays.fill(padded, padToken);
      for (int i = 0; i < item.length; i++) {
        padded[i] = item[i];
      }
      long[] input = Arrays.copyOfRange(padded, 0, batchMaxLength - 1);
      long[] target = Arrays.copyOfRange(padded, 1, batchMaxLength);
      boolean firstPadSeen = false;
      for (int i = 0; i < target.length; i++) {
        if (target[i] == padToken) {
          if (firstPadSeen) {
            target[i] = IGNORE_INDEX;
          }
          firstPadSeen = true;
        }
      }
      if (instructionLengths != null) {
        Arrays.fill(
            target,
            0,
            Math.max(0, Math.min(target.length, instructionLengths[b] - 1)),
            IGNORE_INDEX);
      }
      inputs[b] = Arrays.copyOf(input, length);
      targets[b] = Arrays.copyOf(target, length);
    }
    return new Batch(inputs, targets);
  }
}
