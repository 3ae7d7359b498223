package io.llmft.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.stream.StreamSupport;

/**
 * The book's Alpaca example of the PyTorch-computed {@code gpt2-tiny/golden.json} (tools/golden):
 * read by path from the models module's test resources, where the model it belongs to lives.
 */
final class AlpacaExample {
  private static final Path GOLDEN =
      Path.of("..", "models", "src", "test", "resources", "gpt2-tiny", "golden.json");

  private AlpacaExample() {}

  static JsonNode json() {
    try {
      return new ObjectMapper().readTree(GOLDEN.toFile()).get("alpaca_example");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int[] ints(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
  }
}
