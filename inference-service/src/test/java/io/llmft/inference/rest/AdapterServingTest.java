package io.llmft.inference.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.models.LanguageModel;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.checkpoint.PeftFixtures;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.llmft.text.Gpt2Tokenizer;
import io.llmft.text.PromptStyle;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A PEFT adapter directory served as a model: its base (named by {@code base_model_name_or_path})
 * with the adapter's LoRA layers; an adapter the suite cannot run is refused naming the field.
 */
@QuarkusTest
class AdapterServingTest {
  private static final Path BASE = GenerateResourceTest.FIXTURE;
  private static final Path IMPORTS = Path.of("target/test-artifacts/imports").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path adapter(String name, Consumer<ObjectNode> edit) throws Exception {
    return PeftFixtures.copy(
        BASE.getParent().resolve("peft/gpt2-from-peft"), IMPORTS.resolve(name), BASE, edit);
  }

  private static String request(Path model) {
    return "{\"model\": {\"path\": \""
        + model
        + "\"}, \"instruction\": \"Name a color.\", \"maxNewTokens\": 6}";
  }

  @Test
  void anAdapterDirectoryGeneratesAsItsBaseWithTheAdapter() throws Exception {
    Path adapter = adapter("gpt2-served-adapter", c -> {});
    String expected;
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel model = HfCheckpoint.load(BASE, adapter, m);
        LanguageModel base = HfCheckpoint.load(BASE, m)) {
      expected = greedyResponse(model);
      assertNotEquals(greedyResponse(base), expected, "the adapter changes the answer");
    }
    given()
        .contentType(ContentType.JSON)
        .body(request(adapter))
        .post("/generate")
        .then()
        .statusCode(200)
        .body("response", equalTo(expected))
        .body("generatedTokens", equalTo(6));
  }

  private static String greedyResponse(LanguageModel model) {
    String prompt =
        PromptStyle.ALPACA.formatInput(
            new io.llmft.contract.InstructionEntry("Name a color.", "", null));
    var tokenizer = Gpt2Tokenizer.get();
    var generation =
        new Generator(model)
            .generate(tokenizer.encode(prompt), 6, 96, Sampler.greedy(), StopTokens.of(50256));
    return tokenizer
        .decode(generation.tokens())
        .substring(prompt.length())
        .replace("### Response:", "")
        .strip();
  }

  @Test
  void anAdapterTheSuiteCannotRunIsRefusedNamingTheField() throws Exception {
    Path rslora = adapter("gpt2-rslora-adapter", c -> c.put("use_rslora", true));
    Path orphan = adapter("gpt2-orphan-adapter", c -> c.put("base_model_name_or_path", "nowhere"));
    for (String[] c :
        new String[][] {
          {rslora.toString(), "use_rslora"}, {orphan.toString(), "'nowhere' is neither"}
        }) {
      given()
          .contentType(ContentType.JSON)
          .body(request(Path.of(c[0])))
          .post("/generate")
          .then()
          .statusCode(400)
          .body("errors.field", hasItem("model.path"))
          .body("errors.message", hasItem(containsString(c[1])));
    }
  }
}
