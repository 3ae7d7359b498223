package io.llmft.serving.generate;

/**
 * A finished generation: the prompt followed by the new tokens (the end-of-text token that stopped
 * it is not included, as in the book).
 */
public record Generation(int[] tokens, int promptLength, FinishReason finishReason) {
  public enum FinishReason {
    EOS,
    LENGTH;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public int generatedCount() {
    return tokens.length - promptLength;
  }

  public int[] generatedTokens() {
    return java.util.Arrays.copyOfRange(tokens, promptLength, tokens.length);
  }
}
