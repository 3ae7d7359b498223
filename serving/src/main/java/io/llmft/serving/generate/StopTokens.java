package io.llmft.serving.generate;

import java.util.Arrays;

/**
 * The token ids that end a generation (not appended to it): GPT-2's end-of-text, or all of Llama
 * 3.2's {@code eos_token_id}s; {@link #NONE} for a fixed number of tokens.
 */
public record StopTokens(int[] ids) {
  public static final StopTokens NONE = new StopTokens(new int[0]);

  public StopTokens {
    ids = ids.clone();
  }

  public static StopTokens of(int... ids) {
    return new StopTokens(ids);
  }

  public boolean stops(int token) {
    for (int id : ids) {
      if (id == token) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StopTokens s && Arrays.equals(ids, s.ids);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ids);
  }

  @Override
  public String toString() {
    return "StopTokens" + Arrays.toString(ids);
  }
}
