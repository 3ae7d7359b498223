package io.llmft.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MessageReaderTest {
  private static MessageReader.Read<TrainingJob> read(String json) throws Exception {
    return MessageReader.read(
        JsonSupport.MAPPER, JsonSupport.MAPPER.readTree(json), TrainingJob.class);
  }

  @Test
  void everyUnreadableFieldIsNamedAndTheRestIsStillRead() throws Exception {
    MessageReader.Read<TrainingJob> read =
        read(
            "{\"datasetId\": \"ds\", \"epochs\": \"two\", \"learningrate\": 1,"
                + " \"baseModel\": {\"config\": {\"emb_dim\": 8, \"n_layers\": 0, \"n_heads\": 2,"
                + " \"context_length\": 16}}, \"lora\": {\"rank\": 0, \"alpha\": 8}}");
    assertEquals(
        java.util.List.of(
            new Violation("learningrate", "unknown field"),
            new Violation("baseModel.config.n_layers", "must be an integer from 1 to 96"),
            new Violation("epochs", "has the wrong type or format"),
            new Violation("lora.rank", "must be an integer from 1 to 1024")),
        read.violations());
    assertEquals("ds", read.message().datasetId());
    assertNull(read.message().baseModel());
    assertTrue(read.failed("baseModel"));
    assertTrue(read.failed("lora"));
  }

  @Test
  void aValidMessageReadsWhole() throws Exception {
    MessageReader.Read<TrainingJob> read =
        read(
            "{\"datasetId\": \"ds\", \"baseModel\": \"gpt2\", \"lora\": {\"rank\": 4, \"alpha\": 8}}");
    assertEquals(java.util.List.of(), read.violations());
    assertEquals(new LoraSpec(4, 8), read.message().lora());
    assertTrue(read.message().baseModel() instanceof ModelRef.Pretrained);
  }
}
