package io.llmft.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.text.jinja.TemplateException;
import java.io.IOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Jinja features chat templates use render as in transformers' environment
 * (tools/golden/jinja_features.py): namespaces, loop variables and scope, slices, Python's string
 * methods, filters and tests, tojson as json.dumps, printing as Python, whitespace control with
 * trim_blocks and lstrip_blocks, macros, loop controls, raise_exception and undefined names.
 */
class JinjaFeaturesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @SuppressWarnings("unchecked")
  void everyFeatureRendersAsJinja2() throws IOException {
    JsonNode cases =
        JSON.readTree(getClass().getResourceAsStream("/chat-templates/jinja-features.json"))
            .get("cases");
    assertTrue(cases.size() >= 20);
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      Map<String, Object> context = JSON.convertValue(c.get("context"), LinkedHashMap.class);
      List<?> messages = (List<?>) context.remove("messages");
      ChatTemplate template = parse(name, c.get("template").asText());
      if (c.has("text")) {
        assertEquals(c.get("text").asText(), template.render(messages, null, false, context), name);
      } else {
        TemplateException e =
            assertThrows(
                TemplateException.class,
                () -> template.render(messages, null, false, context),
                name);
        if (c.get("error").asText().equals("TemplateError")) {
          assertTrue(e.raisedByTemplate(), name);
          assertEquals(c.get("message").asText(), e.getMessage(), name);
        } else {
          assertTrue(
              e.getMessage().contains(c.get("message").asText()), name + ": " + e.getMessage());
        }
      }
    }
  }

  private static ChatTemplate parse(String name, String source) {
    try {
      return ChatTemplate.of(source, Map.of());
    } catch (TemplateException e) {
      throw new AssertionError(name + ": " + e.getMessage(), e);
    }
  }

  @Test
  void strftimeNowWritesTodayAsPython() {
    ChatTemplate template = ChatTemplate.of("{{ strftime_now('%d %b %Y') }}", Map.of());
    String today = template.render(List.of(), null, false, Map.of());
    LocalDate now = LocalDate.now();
    String expected =
        String.format(
            "%02d %s %d",
            now.getDayOfMonth(),
            now.getMonth()
                .getDisplayName(java.time.format.TextStyle.SHORT, java.util.Locale.ENGLISH),
            now.getYear());
    assertEquals(expected, today);
  }

  @Test
  void aTemplateThatDoesNotParseSaysWhere() {
    TemplateException e =
        assertThrows(
            TemplateException.class,
            () -> ChatTemplate.of("line one\n{% for m in messages %}{{ m.role }", Map.of()));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    e =
        assertThrows(
            TemplateException.class, () -> ChatTemplate.of("{% if x %}never closed", Map.of()));
    assertTrue(e.getMessage().contains("endif"), e.getMessage());
    e = assertThrows(TemplateException.class, () -> ChatTemplate.of("{{ a | }}", Map.of()));
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
  }
}
