package io.llmft.contract;

/** One Alpaca-style entry; {@code input} is empty when the entry has none. */
public record InstructionEntry(String instruction, String input, String output) {
  public InstructionEntry {
    input = input == null ? "" : input;
    output = output == null ? "" : output;
  }

  public boolean hasInput() {
    return !input.isEmpty();
  }
}
