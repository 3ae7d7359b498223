package io.llmft.inference.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import io.llmft.common.TestAuth;
import io.llmft.common.store.ArtifactStore;
import io.llmft.inference.TestModels;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against /v1: what it receives is checked, not just received. */
@QuarkusTest
class OpenAiSdkTest {
  private static String model;

  @Inject ArtifactStore store;

  @TestHTTPResource("/v1")
  URL v1;

  private OpenAIClient client;

  @BeforeEach
  void client() throws Exception {
    if (model == null) {
      model = TestModels.storeModel(store);
    }
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(v1.toString())
            .apiKey(TestAuth.VIEWER_KEY)
            .maxRetries(0)
            .build();
  }

  @AfterEach
  void close() {
    client.close();
  }

  private ChatCompletionCreateParams.Builder chat(long maxTokens) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addUserMessage(OpenAiApiTest.INSTRUCTION)
        .maxCompletionTokens(maxTokens)
        .temperature(0.0);
  }

  @Test
  void listsTheModels() {
    assertTrue(
        client.models().list().data().stream().map(Model::id).anyMatch(model::equals),
        "the stored model is listed");
    assertEquals("llmft", client.models().retrieve(model).ownedBy());
  }

  @Test
  void aBlockingChatCompletionIsTheGreedyAnswer() {
    String expected = OpenAiApiTest.generate(model, OpenAiApiTest.INSTRUCTION, 10);
    ChatCompletion completion = client.chat().completions().create(chat(10).build());
    completion.validate();
    assertEquals(expected, completion.choices().get(0).message().content().orElseThrow());
    assertEquals(
        ChatCompletion.Choice.FinishReason.LENGTH, completion.choices().get(0).finishReason());
    assertEquals(10, completion.usage().orElseThrow().completionTokens());
  }

  @Test
  void aStreamedChatCompletionAddsUpToTheSameAnswer() {
    String expected = OpenAiApiTest.generate(model, OpenAiApiTest.INSTRUCTION, 10);
    StringBuilder text = new StringBuilder();
    AtomicLong usage = new AtomicLong(-1);
    try (StreamResponse<ChatCompletionChunk> stream =
        client
            .chat()
            .completions()
            .createStreaming(
                chat(10)
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                    .build())) {
      stream.stream()
          .forEach(
              chunk -> {
                chunk.validate();
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(u -> usage.set(u.completionTokens()));
              });
    }
    assertEquals(expected, text.toString());
    assertEquals(10, usage.get());
  }

  @Test
  void aCompletionContinuesTheRawPrompt() {
    CompletionCreateParams params =
        CompletionCreateParams.builder()
            .model(model)
            .prompt("Once upon a time")
            .maxTokens(6)
            .temperature(0.0)
            .build();
    Completion completion = client.completions().create(params);
    completion.validate();
    Completion again = client.completions().create(params);
    assertEquals(completion.choices().get(0).text(), again.choices().get(0).text(), "greedy");
    assertEquals(6, completion.usage().orElseThrow().completionTokens());
  }

  @Test
  void aTwoTurnChatWithAChatTemplateModelIsTheGreedyAnswerToTheWholeConversation()
      throws Exception {
    String chatModel = TestModels.storeQwen3Chat(store);
    ChatCompletion first =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model(chatModel)
                    .addSystemMessage("Be brief.")
                    .addUserMessage("Name a colour.")
                    .maxCompletionTokens(3)
                    .temperature(0.0)
                    .build());
    first.validate();
    String said = first.choices().get(0).message().content().orElseThrow();
    ChatCompletionCreateParams second =
        ChatCompletionCreateParams.builder()
            .model(chatModel)
            .addSystemMessage("Be brief.")
            .addUserMessage("Name a colour.")
            .addAssistantMessage(said)
            .addUserMessage("Another one?")
            .maxCompletionTokens(3)
            .temperature(0.0)
            .build();
    ChatCompletion answer = client.chat().completions().create(second);
    answer.validate();
    String conversation =
        "[{\"role\": \"system\", \"content\": \"Be brief.\"},"
            + " {\"role\": \"user\", \"content\": \"Name a colour.\"},"
            + " {\"role\": \"assistant\", \"content\": "
            + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(said)
            + "}, {\"role\": \"user\", \"content\": \"Another one?\"}]";
    String expected =
        io.restassured.RestAssured.given()
            .header("Authorization", "Bearer " + TestAuth.VIEWER_KEY)
            .contentType(io.restassured.http.ContentType.JSON)
            .body(
                "{\"model\": \""
                    + chatModel
                    + "\", \"max_tokens\": 3, \"temperature\": 0, \"messages\": "
                    + conversation
                    + "}")
            .post("/v1/chat/completions")
            .then()
            .statusCode(200)
            .extract()
            .path("choices[0].message.content");
    int promptTokens =
        io.restassured.RestAssured.given()
            .header("Authorization", "Bearer " + TestAuth.VIEWER_KEY)
            .contentType(io.restassured.http.ContentType.JSON)
            .body("{\"model\": \"" + chatModel + "\", \"messages\": " + conversation + "}")
            .post("/tokenize")
            .then()
            .statusCode(200)
            .extract()
            .path("count");
    assertEquals(expected, answer.choices().get(0).message().content().orElseThrow());
    assertEquals(promptTokens, answer.usage().orElseThrow().promptTokens());
  }
}
