package io.llmft.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelRefTest {
  private static ModelRef read(String json) throws Exception {
    return JsonSupport.MAPPER.readValue(json, ModelRef.class);
  }

  private static List<Violation> violations(String json) {
    return assertThrows(ContractViolation.class, () -> read(json)).violations();
  }

  @Test
  void eachFormReadsAsItsKindAndWritesBackAsItCame() throws Exception {
    ModelRef pretrained = read("\"gpt2-medium\"");
    assertEquals(
        PretrainedModel.GPT2_MEDIUM,
        assertInstanceOf(ModelRef.Pretrained.class, pretrained).model());
    assertEquals(new ModelRef.Finetuned("ft-1"), read("\"ft-1\""));
    assertEquals(new ModelRef.LocalPath("/models/x"), read("{\"path\": \"/models/x\"}"));
    ModelRef random =
        read(
            "{\"config\": {\"emb_dim\": 8, \"n_layers\": 1, \"n_heads\": 2, \"context_length\": 16},"
                + " \"seed\": 7}");
    assertEquals(new ModelRef.RandomInit(new ModelShape(8, 1, 2, 16, null), 7L), random);
    for (String json :
        List.of(
            "\"gpt2-medium\"",
            "\"ft-1\"",
            "{\"path\":\"/models/x\"}",
            "{\"config\":{\"emb_dim\":8,\"n_layers\":1,\"n_heads\":2,\"context_length\":16},\"seed\":7}")) {
      JsonNode written = JsonSupport.MAPPER.valueToTree(read(json));
      assertEquals(JsonSupport.MAPPER.readTree(json).toString(), written.toString(), json);
    }
  }

  @Test
  void aMalformedReferenceNamesEveryBadFieldAtOnce() {
    assertEquals(
        List.of(
            new Violation("width", "unknown field"),
            new Violation("seed", "must be an integer"),
            new Violation(
                "config.vocab",
                "unknown field (known: [emb_dim, n_layers, n_heads, context_length, vocab_size])"),
            new Violation("config.n_layers", "must be an integer from 1 to 96"),
            new Violation("config.emb_dim", "must be divisible by n_heads")),
        violations(
            "{\"config\": {\"emb_dim\": 10, \"n_layers\": 0, \"n_heads\": 3, \"context_length\": 16,"
                + " \"vocab\": 1}, \"seed\": \"x\", \"width\": 2}"));
    assertEquals(List.of(new Violation("", "must be " + ModelRef.FORMS)), violations("5"));
    assertEquals(
        List.of(new Violation("", "give only 'path'")), violations("{\"path\": \"/a\", \"x\": 1}"));
  }

  @Test
  void pretrainedNamesAreTheBooksAndTheShortOnes() {
    assertEquals(
        "openai-community/gpt2", PretrainedModel.find("gpt2").orElseThrow().hubRepository());
    assertEquals(
        PretrainedModel.GPT2_SMALL, PretrainedModel.find("gpt2-small (124M)").orElseThrow());
    assertEquals(PretrainedModel.GPT2_XL, PretrainedModel.find("GPT2-XL").orElseThrow());
    assertEquals("gpt2-large", PretrainedModel.GPT2_LARGE.shortName());
    assertEquals(false, PretrainedModel.find("gpt3").isPresent());
  }

  @Test
  void loraSpecsAreCheckedWhenRead() {
    ContractViolation e =
        assertThrows(
            ContractViolation.class,
            () ->
                JsonSupport.MAPPER.readValue(
                    "{\"rank\": 0, \"alpha\": 1e308, \"beta\": 1}", LoraSpec.class));
    assertEquals(
        List.of("rank", "alpha", "beta"), e.violations().stream().map(Violation::field).toList());
  }
}
