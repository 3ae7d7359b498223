package io.llmft.models;

/** LoRA adapters of this rank and alpha, their A matrices drawn from {@code seed}. */
public record LoraSpec(int rank, float alpha, long seed) {
  public LoraSpec {
    if (rank <= 0) {
      throw new IllegalArgumentException("lora.rank must be positive");
    }
  }
}
