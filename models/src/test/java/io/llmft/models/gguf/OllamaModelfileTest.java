package io.llmft.models.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.contract.InstructionEntry;
import io.llmft.models.ModelFamily;
import io.llmft.models.gguf.OllamaModelfile.Format;
import io.llmft.text.ChatTemplate;
import io.llmft.text.PromptStyle;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class OllamaModelfileTest {
  private static final String PROMPT = "Name a color.";

  @Test
  void templatesRenderTheSuitesOwnPrompts() {
    InstructionEntry entry = new InstructionEntry(PROMPT, "", "");
    assertEquals(
        PromptStyle.ALPACA.formatInput(entry) + PromptStyle.ALPACA.responsePrefix(),
        render(Format.ALPACA));
    assertEquals(
        PromptStyle.PHI3.formatInput(entry) + PromptStyle.PHI3.responsePrefix(),
        render(Format.PHI3));
    assertEquals(
        PromptStyle.LLAMA3.formatInput(entry).replaceFirst("^<\\|begin_of_text\\|>", ""),
        render(Format.LLAMA3),
        "llama.cpp adds the begin-of-text token itself");
    assertEquals(
        ChatTemplate.given("chatml", null)
            .render(List.of(Map.of("role", "user", "content", PROMPT)), null, true, Map.of()),
        render(Format.CHATML));
  }

  @Test
  void aModelfileNamesItsFileFormatSystemAndStops() {
    String modelfile = OllamaModelfile.of("m-q8_0.gguf", Format.ALPACA);
    assertTrue(modelfile.startsWith("FROM ./m-q8_0.gguf\nTEMPLATE \"\"\"{{ if .System }}"));
    assertTrue(modelfile.contains("\nSYSTEM \"\"\"Below is an instruction"), modelfile);
    assertTrue(modelfile.endsWith("PARAMETER stop \"<|endoftext|>\"\n"), modelfile);
    String chatml = OllamaModelfile.of("q.gguf", Format.CHATML);
    assertTrue(!chatml.contains("SYSTEM"), "ChatML models were not trained with a system prompt");
    assertTrue(chatml.contains("PARAMETER stop \"<|im_end|>\"\n"), chatml);
  }

  @Test
  void theFormatIsThePromptStyleElseTheChatTemplatesElseTheFamilys() {
    assertEquals(Format.PHI3, OllamaModelfile.formatOf(ModelFamily.GPT2, "phi3", null));
    assertEquals(Format.ALPACA, OllamaModelfile.formatOf(ModelFamily.QWEN3, "alpaca", null));
    assertEquals(
        Format.CHATML, OllamaModelfile.formatOf(ModelFamily.GPT2, null, "{{ '<|im_start|>' }}"));
    assertEquals(Format.ALPACA, OllamaModelfile.formatOf(ModelFamily.GPT2, null, null));
    assertEquals(Format.LLAMA3, OllamaModelfile.formatOf(ModelFamily.LLAMA, null, null));
    assertEquals(Format.CHATML, OllamaModelfile.formatOf(ModelFamily.QWEN3, null, null));
  }

  /** The prompt Ollama makes of a template: with the format's system prompt, up to the response. */
  private static String render(Format format) {
    String t = format.template();
    Matcher ifSystem =
        Pattern.compile("\\{\\{ if \\.System }}(.*?)\\{\\{ end }}", Pattern.DOTALL).matcher(t);
    t =
        ifSystem.replaceAll(
            m -> format.system() == null ? "" : Matcher.quoteReplacement(m.group(1)));
    t = t.replace("{{ .System }}", format.system() == null ? "" : format.system());
    t = t.replace("{{ .Prompt }}", PROMPT);
    return t.substring(0, t.indexOf("{{ .Response }}"));
  }
}
