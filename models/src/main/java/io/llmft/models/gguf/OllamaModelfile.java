package io.llmft.models.gguf;

import io.llmft.models.ModelFamily;
import java.util.List;

/**
 * An Ollama {@code Modelfile} for a GGUF export: {@code FROM} the file beside it, the prompt format
 * the model was finetuned in as Ollama's Go {@code TEMPLATE}, a {@code SYSTEM} where the format has
 * one (the book's Alpaca preamble), and a {@code PARAMETER stop} for each end-of-turn marker. The
 * templates render the text the suite's own {@code PromptStyle} and chat templates make (without
 * Llama 3's begin-of-text, which llama.cpp adds).
 */
public final class OllamaModelfile {
  private OllamaModelfile() {}

  /** The prompt formats a finetuned model answers in. */
  public enum Format {
    /**
     * The book's Alpaca style: the preamble as the system prompt, then instruction and response.
     */
    ALPACA(
        "{{ if .System }}{{ .System }}\n\n{{ end }}### Instruction:\n{{ .Prompt }}\n\n"
            + "### Response:\n{{ .Response }}",
        "Below is an instruction that describes a task. "
            + "Write a response that appropriately completes the request.",
        List.of("<|endoftext|>")),
    /** The book's Exercise 7.1 (Phi-3's markers in plain text). */
    PHI3(
        "<|user|>\n{{ .Prompt }}\n<|assistant|>:\n{{ .Response }}",
        null,
        List.of("<|endoftext|>", "<|user|>")),
    /** Llama 3's chat format. */
    LLAMA3(
        "{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>"
            + "{{ end }}<|start_header_id|>user<|end_header_id|>\n\n{{ .Prompt }}<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n{{ .Response }}<|eot_id|>",
        null,
        List.of("<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>")),
    /** ChatML, Qwen3's turns. */
    CHATML(
        "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
            + "<|im_start|>user\n{{ .Prompt }}<|im_end|>\n<|im_start|>assistant\n"
            + "{{ .Response }}<|im_end|>",
        null,
        List.of("<|im_end|>", "<|im_start|>"));

    final String template;
    final String system;
    final List<String> stops;

    Format(String template, String system, List<String> stops) {
      this.template = template;
      this.system = system;
      this.stops = stops;
    }

    /** The Go template. */
    public String template() {
      return template;
    }

    /** The system prompt the model was trained with, or null. */
    public String system() {
      return system;
    }

    public List<String> stops() {
      return stops;
    }
  }

  /**
   * The format of a model: the prompt style it was finetuned in ({@code alpaca}, {@code phi3},
   * {@code llama3}), else the turns of its chat template, else its family's own (GPT-2: Alpaca,
   * Llama: Llama 3, Qwen3: ChatML).
   *
   * @param promptStyle from its training record, or null
   * @param chatTemplate the source of its chat template, or null
   */
  public static Format formatOf(ModelFamily family, String promptStyle, String chatTemplate) {
    if (promptStyle != null) {
      switch (promptStyle) {
        case "alpaca":
          return Format.ALPACA;
        case "phi3":
          return Format.PHI3;
        case "llama3":
          return Format.LLAMA3;
        default:
          break;
      }
    }
    if (chatTemplate != null && chatTemplate.contains("<|start_header_id|>")) {
      return Format.LLAMA3;
    }
    if (chatTemplate != null && chatTemplate.contains("<|im_start|>")) {
      return Format.CHATML;
    }
    return switch (family) {
      case GPT2 -> Format.ALPACA;
      case LLAMA -> Format.LLAMA3;
      case QWEN3 -> Format.CHATML;
    };
  }

  /** The Modelfile of {@code ggufFile} (a name in the same directory) in {@code format}. */
  public static String of(String ggufFile, Format format) {
    StringBuilder m = new StringBuilder();
    m.append("FROM ./").append(ggufFile).append('\n');
    m.append("TEMPLATE \"\"\"").append(format.template).append("\"\"\"\n");
    if (format.system != null) {
      m.append("SYSTEM \"\"\"").append(format.system).append("\"\"\"\n");
    }
    for (String stop : format.stops) {
      m.append("PARAMETER stop \"").append(stop).append("\"\n");
    }
    return m.toString();
  }
}
