package io.llmft.inference.openai;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.common.HeadlessChromium;
import io.llmft.common.TestAuth;
import io.llmft.common.store.ArtifactStore;
import io.llmft.inference.TestModels;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in a real headless browser: Debian's Chromium, driven through its ChromeDriver. It
 * loads, lists the models, and streams a finetuned model's answer next to the base model's; the
 * screenshot is kept as {@code target/chat-page.png}.
 */
@QuarkusTest
class ChatPageTest {
  @Inject ArtifactStore store;

  @TestHTTPResource("/")
  URL page;

  @Test
  void aMessageGetsAStreamedAnswerNextToTheBaseModels() throws Exception {
    String finetuned = TestModels.storeModel(store);
    Path base = store.layout().baseModels().resolve("gpt2-small");
    Files.createDirectories(base);
    for (String f : new String[] {"config.json", "model.safetensors"}) {
      Files.copy(
          TestModels.FIXTURE.resolve(f), base.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    String instruction = "Name three colors.";
    String expected =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"model\": \""
                    + finetuned
                    + "\", \"messages\": [{\"role\": \"user\", \"content\": \""
                    + instruction
                    + "\"}], \"max_tokens\": 20, \"temperature\": 0}")
            .post("/v1/chat/completions")
            .then()
            .statusCode(200)
            .extract()
            .path("choices[0].message.content");
    ChromeDriver browser = HeadlessChromium.start();
    try {
      browser.get(page + "#key=" + TestAuth.VIEWER_KEY);
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
      wait.until(d -> new Select(d.findElement(By.id("model"))).getOptions().size() >= 2);
      new Select(browser.findElement(By.id("model"))).selectByValue(finetuned);
      new Select(browser.findElement(By.id("compare"))).selectByValue("gpt2-small");
      WebElement maxTokens = browser.findElement(By.id("max-tokens"));
      maxTokens.clear();
      maxTokens.sendKeys("20");
      browser.findElement(By.id("instruction")).sendKeys(instruction);
      browser.findElement(By.id("send")).click();
      wait.until(
          d ->
              "true".equals(d.findElement(By.id("answer-main")).getDomAttribute("data-done"))
                  && "true"
                      .equals(d.findElement(By.id("answer-compare")).getDomAttribute("data-done")));
      String answer = browser.findElement(By.cssSelector("[data-testid=answer]")).getText();
      String compared =
          browser.findElement(By.cssSelector("[data-testid=compare-answer]")).getText();
      String meta = browser.findElement(By.cssSelector("#answer-main .meta")).getText();
      HeadlessChromium.screenshot(browser, Path.of("target/chat-page.png"));
      assertEquals(expected.strip(), answer.strip(), "the page shows the streamed answer");
      assertFalse(compared.isBlank() && answer.isBlank(), "two answers side by side");
      assertTrue(meta.contains("20 tokens in"), meta);
      assertTrue(meta.contains("first after"), "the text arrived as a stream: " + meta);
    } finally {
      browser.quit();
    }
  }

  @Test
  void aChatModelHoldsTheConversationAcrossAFollowUp() throws Exception {
    String model = TestModels.storeQwen3Chat(store);
    String first = "Name a colour.";
    String followUp = "Another one?";
    String firstAnswer =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"model\": \""
                    + model
                    + "\", \"messages\": [{\"role\": \"user\", \"content\": \""
                    + first
                    + "\"}], \"max_tokens\": 4, \"temperature\": 0}")
            .post("/v1/chat/completions")
            .then()
            .statusCode(200)
            .extract()
            .path("choices[0].message.content");
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    String conversation =
        json.writeValueAsString(
            java.util.List.of(
                java.util.Map.of("role", "user", "content", first),
                java.util.Map.of("role", "assistant", "content", firstAnswer),
                java.util.Map.of("role", "user", "content", followUp)));
    int promptTokens =
        given()
            .contentType(ContentType.JSON)
            .body("{\"model\": \"" + model + "\", \"messages\": " + conversation + "}")
            .post("/tokenize")
            .then()
            .statusCode(200)
            .extract()
            .path("count");
    ChromeDriver browser = HeadlessChromium.start();
    try {
      browser.get(page + "#key=" + TestAuth.VIEWER_KEY);
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
      wait.until(
          d ->
              new Select(d.findElement(By.id("model")))
                  .getOptions().stream().anyMatch(o -> model.equals(o.getDomAttribute("value"))));
      new Select(browser.findElement(By.id("model"))).selectByValue(model);
      new Select(browser.findElement(By.id("compare"))).selectByValue("");
      assertTrue(browser.findElement(By.id("new-chat")).isDisplayed(), "a chat model can restart");
      WebElement maxTokens = browser.findElement(By.id("max-tokens"));
      maxTokens.clear();
      maxTokens.sendKeys("4");
      for (String message : new String[] {first, followUp}) {
        browser.findElement(By.id("instruction")).sendKeys(message);
        browser.findElement(By.id("send")).click();
        wait.until(
            d -> "true".equals(d.findElement(By.id("answer-main")).getDomAttribute("data-done")));
      }
      java.util.List<WebElement> turns =
          browser.findElements(By.cssSelector("[data-testid=history] li"));
      String meta = browser.findElement(By.cssSelector("#answer-main .meta")).getText();
      HeadlessChromium.screenshot(browser, Path.of("target/chat-page-conversation.png"));
      assertEquals(4, turns.size(), "two exchanges in the conversation");
      assertEquals(first, turns.get(0).getText());
      assertEquals(firstAnswer.strip(), turns.get(1).getText().strip());
      assertEquals(followUp, turns.get(2).getText());
      assertTrue(
          meta.contains("prompt " + promptTokens + " tokens"),
          "the follow-up was sent with the first exchange: " + meta);
      browser.findElement(By.id("new-chat")).click();
      assertEquals(0, browser.findElements(By.cssSelector("[data-testid=history] li")).size());
    } finally {
      browser.quit();
    }
  }
}
