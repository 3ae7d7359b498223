package io.llmft.inference.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.TestAuth;
import io.llmft.inference.TestModels;
import io.llmft.models.LanguageModel;
import io.llmft.models.checkpoint.AdapterMerge;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.checkpoint.PeftFixtures;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.llmft.text.Gpt2Tokenizer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Many adapters on one base, by name, as vLLM serves them ({@code /v1/load_lora_adapter}, {@code
 * model} naming the adapter): one copy of the base, each adapter answering its merged model's
 * greedy tokens, the base itself unchanged; loading is an operator's, and a bad adapter is refused
 * naming the field.
 */
@QuarkusTest
class LoraModulesServingTest {
  private static final Path BASE = TestModels.FIXTURE;
  private static final Path IMPORTS = Path.of("target/test-artifacts/imports").toAbsolutePath();
  private static final String PROMPT = "Once upon a time";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject ModelCache cache;

  /** The peft-made GPT-2 adapter fixture, its scaling multiplied by {@code scale}. */
  private static Path adapter(String name, double scale) throws Exception {
    return PeftFixtures.copy(
        BASE.getParent().resolve("peft/gpt2-from-peft"),
        IMPORTS.resolve(name),
        BASE,
        c -> {
          c.put("lora_alpha", c.get("lora_alpha").asDouble() * scale);
          c.remove("alpha_pattern");
        });
  }

  private static void load(String name, Path dir) {
    given()
        .contentType(ContentType.JSON)
        .body("{\"lora_name\": \"" + name + "\", \"lora_path\": \"" + dir + "\"}")
        .post("/v1/load_lora_adapter")
        .then()
        .statusCode(200)
        .body(equalTo("Success: LoRA adapter '" + name + "' added successfully."));
  }

  private static String complete(String model) {
    return given()
        .contentType(ContentType.JSON)
        .body(
            "{\"model\": \""
                + model
                + "\", \"prompt\": \""
                + PROMPT
                + "\", \"max_tokens\": 8, \"temperature\": 0}")
        .post("/v1/completions")
        .then()
        .statusCode(200)
        .extract()
        .path("choices[0].text");
  }

  /** What a model alone continues the prompt with, greedily. */
  private static String alone(LanguageModel model) {
    Gpt2Tokenizer tokenizer = Gpt2Tokenizer.get();
    int[] generated =
        new Generator(model)
            .generate(tokenizer.encode(PROMPT), 8, 96, Sampler.greedy(), StopTokens.of(50256))
            .generatedTokens();
    return tokenizer.decode(generated);
  }

  @Test
  void twoAdaptersOfOneBaseAreServedByNameOverOneCopyOfItWithTheirMergedModelsAnswers()
      throws Exception {
    Path one = adapter("colors-one", 1);
    Path two = adapter("colors-two", 3);
    String expectedOne;
    String expectedTwo;
    String expectedBase;
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel mergedOne = AdapterMerge.mergedWeights(BASE, one, m).build();
        LanguageModel mergedTwo = AdapterMerge.mergedWeights(BASE, two, m).build();
        LanguageModel base = HfCheckpoint.load(BASE, m)) {
      expectedOne = alone(mergedOne);
      expectedTwo = alone(mergedTwo);
      expectedBase = alone(base);
    }
    assertNotEquals(expectedOne, expectedTwo, "the two adapters answer differently");
    int adaptersBefore = cache.adaptersHeld();
    load("colors-one", one);
    load("colors-two", two);
    given()
        .get("/v1/models")
        .then()
        .statusCode(200)
        .body("data.find { it.id == 'colors-one' }.parent", equalTo(BASE.toString()))
        .body("data.find { it.id == 'colors-two' }.root", equalTo(two.toString()));

    // the requests run at once: in one decode loop, the base's
    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (String model : List.of("colors-one", "colors-two", "colors-one", "colors-two")) {
      answers.add(CompletableFuture.supplyAsync(() -> complete(model)));
    }
    assertEquals(expectedOne, answers.get(0).get());
    assertEquals(expectedTwo, answers.get(1).get());
    assertEquals(expectedOne, answers.get(2).get());
    assertEquals(expectedTwo, answers.get(3).get());
    assertEquals(adaptersBefore + 2, cache.adaptersHeld(), "each adapter's arrays read once");
    assertTrue(cache.modelsLoaded().contains(BASE), "the base is loaded: " + cache.modelsLoaded());
    assertFalse(
        cache.modelsLoaded().contains(one) || cache.modelsLoaded().contains(two),
        "no adapter is a model of its own");

    // /generate and inference jobs take the name as their model too
    assertEquals(generate("{\"path\": \"" + two + "\"}"), generate("\"colors-two\""), "by name");

    given()
        .contentType(ContentType.JSON)
        .body("{\"lora_name\": \"colors-two\"}")
        .post("/v1/unload_lora_adapter")
        .then()
        .statusCode(200);
    given()
        .contentType(ContentType.JSON)
        .body("{\"model\": \"colors-two\", \"prompt\": \"Hi\", \"max_tokens\": 2}")
        .post("/v1/completions")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("model_not_found"));
    given()
        .contentType(ContentType.JSON)
        .body("{\"lora_name\": \"colors-two\"}")
        .post("/v1/unload_lora_adapter")
        .then()
        .statusCode(404);
    given()
        .contentType(ContentType.JSON)
        .body("{\"lora_name\": \"colors-one\"}")
        .post("/v1/unload_lora_adapter")
        .then()
        .statusCode(200);
    assertEquals(expectedBase, alone(BASE), "the base is served as it was");
  }

  private static String generate(String model) {
    return given()
        .contentType(ContentType.JSON)
        .body("{\"model\": " + model + ", \"instruction\": \"Name a color.\", \"maxNewTokens\": 6}")
        .post("/generate")
        .then()
        .statusCode(200)
        .extract()
        .path("response");
  }

  private static String alone(Path dir) throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel model = HfCheckpoint.load(dir, m)) {
      return alone(model);
    }
  }

  @Test
  void loadingIsAnOperatorsAndABadAdapterIsRefusedNamingTheField() throws Exception {
    Path good = adapter("colors-refused", 1);
    given()
        .header("Authorization", TestAuth.bearer(TestAuth.VIEWER_KEY))
        .contentType(ContentType.JSON)
        .body("{\"lora_name\": \"viewer-adapter\", \"lora_path\": \"" + good + "\"}")
        .post("/v1/load_lora_adapter")
        .then()
        .statusCode(403);
    Path qwen =
        PeftFixtures.copy(
            BASE.getParent().resolve("peft/qwen3-from-peft"),
            IMPORTS.resolve("qwen3-adapter-on-gpt2"),
            BASE,
            c -> {});
    String[][] refused = {
      {"{\"lora_path\": \"" + good + "\"}", "lora_name"},
      {"{\"lora_name\": \"../x\", \"lora_path\": \"" + good + "\"}", "lora_name"},
      {"{\"lora_name\": \"etc\", \"lora_path\": \"/etc\"}", "lora_path"},
      {"{\"lora_name\": \"plain\", \"lora_path\": \"" + BASE + "\"}", "lora_path"},
      {"{\"lora_name\": \"wrong-family\", \"lora_path\": \"" + qwen + "\"}", "lora_path"},
    };
    for (String[] c : refused) {
      given()
          .contentType(ContentType.JSON)
          .body(c[0])
          .post("/v1/load_lora_adapter")
          .then()
          .statusCode(400)
          .body("error.param", equalTo(c[1]));
    }
    given()
        .get("/v1/models")
        .then()
        .statusCode(200)
        .body("data.id", org.hamcrest.Matchers.not(hasItem("wrong-family")));
  }
}
