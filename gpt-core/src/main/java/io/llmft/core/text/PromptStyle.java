package io.llmft.core.text;

import io.llmft.core.data.InstructionEntry;

/**
 * The one definition of the chapter-7 prompt templates. {@link #ALPACA} is the book's {@code
 * format_input} followed by {@code "\n\n### Response:\n" + output}; {@link #PHI3} is its Exercise
 * 7.1.
 */
public enum PromptStyle {
  ALPACA("alpaca") {
    @Override
    public String formatInput(InstructionEntry entry) {
      String instruction =
          "Below is an instruction that describes a task. "
              + "Write a response that appropriately completes the request."
              + "\n\n### Instruction:\n"
              + entry.instruction();
      String input = entry.hasInput() ? "\n\n### Input:\n" + entry.input() : "";
      return instruction + input;
    }

    @Override
    public String responsePrefix() {
      return "\n\n### Response:\n";
    }

    @Override
    public String responseHeader() {
      return "### Response:";
    }
  },

  /** The book's Exercise 7.1: Phi-3's chat template. */
  PHI3("phi3") {
    @Override
    public String formatInput(InstructionEntry entry) {
      return "<|user|>\n" + entry.instruction() + (entry.hasInput() ? "\n" + entry.input() : "");
    }

    @Override
    public String responsePrefix() {
      return "\n<|assistant|>:\n";
    }

    @Override
    public String responseHeader() {
      return "<|assistant|>:";
    }
  };

  private final String id;

  PromptStyle(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /** The instruction part of the prompt: what the model is given at inference time. */
  public abstract String formatInput(InstructionEntry entry);

  /** The text between the instruction part and the expected output. */
  public abstract String responsePrefix();

  /** The training text: prompt, response header and the expected output. */
  public String formatTraining(InstructionEntry entry) {
    return formatInput(entry) + responsePrefix() + entry.output();
  }

  /**
   * The book's extraction of a response from the decoded generation (prompt + continuation): the
   * text after the prompt, the response header removed, stripped.
   */
  public String extractResponse(String prompt, String generated) {
    return generated.substring(prompt.length()).replace(responseHeader(), "").strip();
  }

  /** The response header inside {@link #responsePrefix}, which extraction removes. */
  public abstract String responseHeader();

  public static PromptStyle fromId(String id) {
    for (PromptStyle style : values()) {
      if (style.id.equals(id)) {
        return style;
      }
    }
    throw new IllegalArgumentException("unknown prompt style '" + id + "' (known: alpaca, phi3)");
  }
}
