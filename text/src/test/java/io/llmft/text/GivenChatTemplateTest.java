package io.llmft.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Templates a training job names or gives for a base model without one (a GPT-2). */
class GivenChatTemplateTest {
  private static final List<Map<String, Object>> CHAT =
      List.of(
          Map.of("role", "system", "content", "Be brief."),
          Map.of("role", "user", "content", "Hi"),
          Map.of("role", "assistant", "content", "Hello!"));

  @Test
  void chatmlAndLlama3RenderTheirFormats() {
    assertEquals(
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            + "<|im_start|>assistant\nHello!<|im_end|>\n",
        ChatTemplate.given("chatml", null).render(CHAT, null, false, Map.of()));
    assertEquals(
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n",
        ChatTemplate.given("llama3", null).render(CHAT.subList(1, 2), null, true, Map.of()));
    assertEquals("<|im_end|>", ChatTemplate.given("chatml", null).endOfTurn().orElseThrow());
  }

  @Test
  void anUnknownNameOrBrokenJinjaIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ChatTemplate.given("vicuna", "x"));
    assertThrows(
        io.llmft.text.jinja.TemplateException.class,
        () -> ChatTemplate.given("{% for m in messages %}", "x"));
  }

  @Test
  void theSavedTemplateKeepsItsTurnEndAndGpt2LearnsChatmlsAssistantTurns(@TempDir Path dir)
      throws Exception {
    ChatTemplate chatml = ChatTemplate.given("chatml", null);
    Gpt2Tokenizer.get().writeFiles(dir);
    chatml.writeInto(dir);
    ChatTemplate read = ChatTemplate.forModel(dir).orElseThrow();
    assertEquals("<|im_end|>", read.endOfTurn().orElseThrow(), "not GPT-2's eos_token");
    assertTrue(Files.readString(dir.resolve("tokenizer_config.json")).contains("chat_template"));
    ChatTargets.Item item =
        new ChatTargets(read, Gpt2Tokenizer.get(), Map.of(), ChatTargets.TrainOn.ASSISTANT)
            .of(CHAT, null);
    StringBuilder learned = new StringBuilder();
    for (int i = 0; i < item.ids().length; i++) {
      if (item.targets()[i]) {
        learned.append(Gpt2Tokenizer.get().decode(new int[] {item.ids()[i]}));
      }
    }
    assertEquals("Hello!<|im_end|>", learned.toString());
  }
}
