package io.llmft.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.store.DatasetArtifacts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small prepared datasets written through the production {@link DatasetArtifacts}. */
public final class TestDatasets {
  private TestDatasets() {}

  public static JsonNode entry(String instruction, String input, String output) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("instruction", instruction);
    node.put("input", input);
    node.put("output", output);
    return node;
  }

  /** {@code n} short arithmetic entries. */
  public static List<JsonNode> entries(int n) {
    List<JsonNode> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(entry("Add the numbers.", i + " + " + (i + 1), String.valueOf(2 * i + 1)));
    }
    return out;
  }

  public static void write(
      DatasetArtifacts artifacts, String id, int train, int validation, int test) {
    Map<String, List<JsonNode>> splits = new LinkedHashMap<>();
    splits.put("train", entries(train));
    splits.put("validation", entries(validation));
    splits.put("test", entries(test));
    Map<String, Integer> counts = new LinkedHashMap<>();
    splits.forEach((k, v) -> counts.put(k, v.size()));
    artifacts.write(new DatasetArtifacts.Manifest(id, id, "alpaca", 1024, counts), splits);
  }
}
