package io.llmft.inference.openai;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.common.TestAuth;
import io.llmft.common.store.ArtifactStore;
import io.llmft.inference.TestModels;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in a real headless browser: Debian's Chromium, driven through its ChromeDriver. It
 * loads, lists the models, and streams a finetuned model's answer next to the base model's; the
 * screenshot is kept as {@code target/chat-page.png}.
 */
@QuarkusTest
class ChatPageTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Inject ArtifactStore store;

  @TestHTTPResource("/")
  URL page;

  /** Chromium as the machine's probe starts it: no network of its own, a fresh profile. */
  static ChromeDriver chromium(Path profile) {
    assertTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the chat page test needs Debian's chromium and chromium-driver (.ci/run installs them)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    return new ChromeDriver(service, options);
  }

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
    Path profile = Files.createTempDirectory("chromium-profile");
    ChromeDriver browser = chromium(profile);
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
      File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
      Files.copy(
          shot.toPath(), Path.of("target/chat-page.png"), StandardCopyOption.REPLACE_EXISTING);
      assertEquals(expected.strip(), answer.strip(), "the page shows the streamed answer");
      assertFalse(compared.isBlank() && answer.isBlank(), "two answers side by side");
      assertTrue(meta.contains("20 tokens in"), meta);
      assertTrue(meta.contains("first after"), "the text arrived as a stream: " + meta);
    } finally {
      browser.quit();
    }
  }
}
