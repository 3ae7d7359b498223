package io.llmft.models;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.gpt2.Gpt2Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The PyTorch-computed fixture in test resources {@code gpt2-tiny/}. */
public final class Golden {
  private Golden() {}

  public static Path modelDir() {
    return Fixtures.model("gpt2-tiny");
  }

  public static JsonNode json() {
    try {
      return new ObjectMapper().readTree(modelDir().resolve("golden.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Gpt2Model loadModel(NDManager manager) {
    return Gpt2Model.of(loadWeights(manager));
  }

  public static io.llmft.models.gpt2.Gpt2Weights loadWeights(NDManager manager) {
    try {
      return (io.llmft.models.gpt2.Gpt2Weights) HfCheckpoint.loadWeights(modelDir(), manager);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  public static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}
