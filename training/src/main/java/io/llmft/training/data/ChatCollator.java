package io.llmft.training.data;

import io.llmft.text.ChatTargets;
import java.util.Arrays;
import java.util.List;

/**
 * Batches of rendered conversations: inputs are each conversation's ids without the last, targets
 * its ids shifted by one where the id is a target ({@link ChatTargets}) and {@link
 * InstructionCollator#IGNORE_INDEX} elsewhere; rows are padded with the model's end-of-text id to
 * the batch's longest and no pad is a target (a conversation already ends in its end-of-turn
 * token); both are cut to {@code allowedMaxLength}.
 */
public final class ChatCollator {
  private final int allowedMaxLength;
  private final int padToken;

  public ChatCollator(int allowedMaxLength, int padToken) {
    if (allowedMaxLength <= 0) {
      throw new IllegalArgumentException("allowedMaxLength must be positive");
    }
    this.allowedMaxLength = allowedMaxLength;
    this.padToken = padToken;
  }

  public Batch collate(List<ChatTargets.Item> items) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException("cannot collate an empty batch");
    }
    int longest = 0;
    for (ChatTargets.Item item : items) {
      longest = Math.max(longest, item.ids().length - 1);
    }
    int length = Math.min(longest, allowedMaxLength);
    long[][] inputs = new long[items.size()][length];
    long[][] targets = new long[items.size()][length];
    for (int b = 0; b < items.size(); b++) {
      int[] ids = items.get(b).ids();
      boolean[] learn = items.get(b).targets();
      Arrays.fill(inputs[b], padToken);
      Arrays.fill(targets[b], InstructionCollator.IGNORE_INDEX);
      for (int i = 0; i < Math.min(ids.length - 1, length); i++) {
        inputs[b][i] = ids[i];
        targets[b][i] = learn[i + 1] ? ids[i + 1] : InstructionCollator.IGNORE_INDEX;
      }
    }
    return new Batch(inputs, targets);
  }
}
