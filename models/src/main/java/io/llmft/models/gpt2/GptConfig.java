package io.llmft.models.gpt2;

import io.llmft.contract.ModelShape;
import io.llmft.contract.PretrainedModel;
import io.llmft.models.ModelConfig;
import io.llmft.models.ModelFamily;

/**
 * The shape of a GPT-2 model. The pretrained ones are the book's {@code model_configs} ({@link
 * PretrainedModel}).
 */
public record GptConfig(int vocabSize, int contextLength, int embDim, int nLayers, int nHeads)
    implements ModelConfig {
  public static final int GPT2_VOCAB_SIZE = ModelShape.GPT2_VOCAB_SIZE;
  public static final int GPT2_CONTEXT_LENGTH = 1024;
  public static final float LAYER_NORM_EPS = 1e-5f;

  public GptConfig {
    if (vocabSize <= 0 || contextLength <= 0 || embDim <= 0 || nLayers <= 0 || nHeads <= 0) {
      throw new IllegalArgumentException("every GPT-2 dimension must be positive");
    }
    if (embDim % nHeads != 0) {
      throw new IllegalArgumentException(
          "emb_dim (" + embDim + ") must be divisible by n_heads (" + nHeads + ")");
    }
  }

  @Override
  public ModelFamily family() {
    return ModelFamily.GPT2;
  }

  @Override
  public int kvWidth() {
    return embDim;
  }

  @Override
  public int hiddenSize() {
    return embDim;
  }

  public int headDim() {
    return embDim / nHeads;
  }

  /** The shape of a pretrained GPT-2. */
  public static GptConfig of(PretrainedModel model) {
    return new GptConfig(
        GPT2_VOCAB_SIZE, GPT2_CONTEXT_LENGTH, model.embDim(), model.nLayers(), model.nHeads());
  }

  /** The shape a random-init job asks for. */
  public static GptConfig of(ModelShape shape) {
    return new GptConfig(
        shape.vocabSizeOrDefault(),
        shape.contextLength(),
        shape.embDim(),
        shape.nLayers(),
        shape.nHeads());
  }

  /** By the book's name ("gpt2-medium (355M)"), the short one ("gpt2-medium") or "gpt2". */
  public static GptConfig preset(String name) {
    return of(
        PretrainedModel.find(name)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "unknown GPT-2 model '"
                            + name
                            + "' (known: "
                            + String.join(", ", PretrainedModel.bookNames())
                            + ")")));
  }

  /** Parameters including the separate output head (the book's count). */
  @Override
  public long parameterCount() {
    long c = embDim;
    long perLayer =
        2 * (2 * c) + (c * 3 * c + 3 * c) + (c * c + c) + (c * 4 * c + 4 * c) + (4 * c * c + c);
    return (long) vocabSize * c
        + (long) contextLength * c
        + nLayers * perLayer
        + 2 * c
        + (long) vocabSize * c;
  }
}
