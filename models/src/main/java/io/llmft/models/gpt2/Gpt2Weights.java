package io.llmft.models.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llmft.models.Adapter;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelWeights;
import io.llmft.models.Precision;
import io.llmft.models.engine.NativeArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The weights of a GPT-2, by what they are rather than by name ({@link Gpt2Keys} owns the names).
 * Conv1D weights are in Hugging Face orientation, (in, out), so a projection is {@code x.matMul(w)
 * + b}; the output head is (V, C) and has no bias.
 *
 * @param manager owns every array; closed with the model
 */
public record Gpt2Weights(
    GptConfig config,
    NDArray tokenEmbedding,
    NDArray positionEmbedding,
    List<Block> blocks,
    Norm finalNorm,
    NDArray head,
    NDManager manager)
    implements ModelWeights {

  public Gpt2Weights {
    blocks = List.copyOf(blocks);
  }

  @Override
  public Map<String, NDArray> named() {
    return Gpt2Keys.named(this);
  }

  @Override
  public LanguageModel build(Precision precision, Adapter adapter) {
    return Gpt2Model.builder(this).precision(precision).adapter(adapter).build();
  }

  /** LayerNorm scale and shift. */
  public record Norm(NDArray weight, NDArray bias) {}

  /** A Conv1D layer: weight (in, out), bias (out). */
  public record Projection(NDArray weight, NDArray bias) {}

  /** One transformer block: attention (query, key and value in one projection), then the MLP. */
  public record Block(
      Norm norm1,
      Projection qkv,
      Projection attnOut,
      Norm norm2,
      Projection fc,
      Projection mlpOut) {}

  /** GPT-2's initialisation: weights normal(0, 0.02), biases 0, LayerNorm scale 1. */
  public static Gpt2Weights randomInit(GptConfig config, long seed, NDManager parent) {
    Random random = new Random(seed);
    NDManager manager = parent.newSubManager();
    try {
      // in checkpoint order, so that a seed gives the weights it always gave
      return Gpt2Keys.weights(
          config,
          (name, shape) -> {
            float[] data = new float[Math.toIntExact(shape.size())];
            if (Gpt2Keys.isNormScale(name)) {
              Arrays.fill(data, 1f);
            } else if (name.endsWith(".weight")) {
              for (int i = 0; i < data.length; i++) {
                data[i] = (float) (random.nextGaussian() * 0.02);
              }
            }
            return NativeArrays.copyOf(manager, data, shape); // one on the heap at a time
          },
          manager);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Every array, in checkpoint order. */
  public List<NDArray> arrays() {
    List<NDArray> all = new ArrayList<>(List.of(tokenEmbedding, positionEmbedding));
    for (Block b : blocks) {
      all.addAll(
          List.of(
              b.norm1.weight,
              b.norm1.bias,
              b.qkv.weight,
              b.qkv.bias,
              b.attnOut.weight,
              b.attnOut.bias,
              b.norm2.weight,
              b.norm2.bias,
              b.fc.weight,
              b.fc.bias,
              b.mlpOut.weight,
              b.mlpOut.bias));
    }
    all.addAll(List.of(finalNorm.weight, finalNorm.bias, head));
    return all;
  }
}
