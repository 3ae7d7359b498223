package io.llmft.models;

/**
 * What every part outside a family needs to know of a model's shape: the trainer, generation, the
 * KV cache, serving. Each family's config adds its own fields.
 */
public interface ModelConfig {
  ModelFamily family();

  int vocabSize();

  /**
   * The longest sequence the model takes (GPT-2's {@code n_positions}, {@code
   * max_position_embeddings}).
   */
  int contextLength();

  int nLayers();

  /** The width of the hidden states the output head reads. */
  int hiddenSize();

  /** Parameters, each shared array once (a tied head is the token embedding). */
  long parameterCount();

  /**
   * The width of one layer's cached keys (and values) of one token: heads that keep keys × their
   * size.
   */
  int kvWidth();

  /**
   * The KV cache's bytes for one token of one sequence, in fp32: keys and values of every layer.
   */
  default long kvCacheBytesPerToken() {
    return 2L * nLayers() * kvWidth() * Float.BYTES;
  }
}
