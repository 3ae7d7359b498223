package io.llmft.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ChatRowsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode normalize(String row) throws Exception {
    return ChatRows.normalize(JSON.readTree(row));
  }

  private static String reason(String row) {
    return assertThrows(ChatRows.Invalid.class, () -> normalize(row)).getMessage();
  }

  @Test
  void openAiMessagesKeepTheirFieldsAndJoinTextParts() throws Exception {
    JsonNode n =
        normalize(
            "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"a\"},"
                + " {\"type\": \"text\", \"text\": \"b\"}]},"
                + " {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"type\":"
                + " \"function\", \"function\": {\"name\": \"f\", \"arguments\": {}}}]},"
                + " {\"role\": \"tool\", \"content\": \"1\"},"
                + " {\"role\": \"assistant\", \"content\": \"Done.\"}],"
                + " \"tools\": \"[{\\\"type\\\": \\\"function\\\"}]\"}");
    assertEquals("a\nb", n.at("/messages/1/content").asText());
    assertEquals("", n.at("/messages/2/content").asText());
    assertEquals("f", n.at("/messages/2/tool_calls/0/function/name").asText());
    assertTrue(n.get("tools").isArray(), "tools given as a JSON string become a list");
  }

  @Test
  void shareGptConversationsMapOntoTheRoles() throws Exception {
    JsonNode n =
        normalize(
            "{\"system\": \"Be kind.\", \"conversations\": ["
                + "{\"from\": \"human\", \"value\": \"Weather?\"},"
                + "{\"from\": \"function_call\", \"value\": \"{\\\"name\\\": \\\"w\\\","
                + " \\\"arguments\\\": {\\\"city\\\": \\\"Bern\\\"}}\"},"
                + "{\"from\": \"observation\", \"value\": \"sunny\"},"
                + "{\"from\": \"gpt\", \"value\": \"Sunny.\"}]}");
    assertEquals(
        "system,user,assistant,tool,assistant",
        String.join(",", n.get("messages").findValuesAsText("role").subList(0, 5)));
    assertEquals("Bern", n.at("/messages/2/tool_calls/0/function/arguments/city").asText());
  }

  @Test
  void preferenceRowsInTrlsAndLlamaFactorysShapes() throws Exception {
    JsonNode trl =
        normalize(
            "{\"prompt\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"chosen\": [{\"role\": \"assistant\", \"content\": \"Hello!\"}],"
                + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"Go away.\"}]}");
    assertEquals("Hello!", trl.at("/chosen/content").asText());
    assertTrue(ChatRows.isPreference(trl));
    JsonNode plain =
        normalize("{\"prompt\": \"Hi\", \"chosen\": \"Hello!\", \"rejected\": \"No.\"}");
    assertEquals("user", plain.at("/messages/0/role").asText());
    JsonNode factory =
        normalize(
            "{\"conversations\": [{\"from\": \"human\", \"value\": \"Hi\"}],"
                + " \"chosen\": {\"from\": \"gpt\", \"value\": \"Hello!\"},"
                + " \"rejected\": {\"from\": \"gpt\", \"value\": \"No.\"}}");
    assertEquals("assistant", factory.at("/rejected/role").asText());
  }

  @Test
  void unusableRowsSayWhy() {
    assertTrue(
        reason("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}")
            .contains("no assistant turn"));
    assertTrue(
        reason("{\"messages\": [{\"role\": \"robot\", \"content\": \"Hi\"}]}")
            .startsWith("messages[0].role: unknown role"));
    assertTrue(
        reason(
                "{\"messages\": [{\"role\": \"user\", \"content\": \" \"},"
                    + " {\"role\": \"assistant\", \"content\": \"x\"}]}")
            .equals("messages[0].content: empty content"));
    assertTrue(
        reason("{\"prompt\": \"Hi\", \"chosen\": \"a\"}").startsWith("rejected: a preference row"));
    assertTrue(
        reason(
                "{\"prompt\": \"Hi\", \"chosen\": {\"role\": \"user\", \"content\": \"a\"},"
                    + " \"rejected\": \"b\"}")
            .startsWith("chosen: must be an assistant turn"));
    assertTrue(
        reason("{\"conversations\": [{\"from\": \"bot\", \"value\": \"x\"}]}")
            .startsWith("conversations[0].from: unknown role 'bot'"));
    assertTrue(reason("{\"instruction\": \"x\"}").startsWith("no conversation"));
  }
}
