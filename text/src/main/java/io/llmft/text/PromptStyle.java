package io.llmft.text;

import io.llmft.contract.InstructionEntry;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one definition of the prompt templates. {@link #ALPACA} is the book's {@code format_input}
 * followed by {@code "\n\n### Response:\n" + output}; {@link #PHI3} is its Exercise 7.1; {@link
 * #LLAMA3} is Llama 3's chat format, the book's {@code ChatFormat}, so that an Instruct checkpoint
 * is served in its own format (several turns included: {@link #chatTemplate}).
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
  },

  /**
   * Llama 3's chat format (the book's {@code ChatFormat}): the instruction is one user turn of the
   * named {@code llama3} chat template, which ends with the assistant's header that the model
   * answers after. A conversation of several turns is that template's ({@link #chatTemplate}).
   */
  LLAMA3("llama3") {
    private final ChatTemplate template = ChatTemplate.given("llama3", null);

    @Override
    public String formatInput(InstructionEntry entry) {
      String user = entry.instruction() + (entry.hasInput() ? "\n\n" + entry.input() : "");
      String rendered =
          template.render(List.of(Map.of("role", "user", "content", user)), null, true, Map.of());
      // the template writes begin-of-text; the tokenizer's post-processor puts it first instead
      return rendered.substring(ChatTemplate.LLAMA3_BEGIN_OF_TEXT.length());
    }

    @Override
    public String responsePrefix() {
      return "";
    }

    @Override
    public String responseHeader() {
      return "";
    }

    @Override
    public Optional<ChatTemplate> chatTemplate() {
      return Optional.of(template);
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

  /** The chat template a conversation of several turns is written in, for the styles with one. */
  public Optional<ChatTemplate> chatTemplate() {
    return Optional.empty();
  }

  public static PromptStyle fromId(String id) {
    for (PromptStyle style : values()) {
      if (style.id.equals(id)) {
        return style;
      }
    }
    throw new IllegalArgumentException(
        "unknown prompt style '" + id + "' (known: " + String.join(", ", ids()) + ")");
  }

  /** Every style's id. */
  public static List<String> ids() {
    return java.util.Arrays.stream(values()).map(PromptStyle::id).toList();
  }
}
