package io.llmft.models;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The model families the suite runs, each named by the {@code model_type} of its Hugging Face
 * {@code config.json}. A family's {@link FamilyFormat} (its files, its tokenizer, its model) is
 * registered in {@link io.llmft.models.checkpoint.FamilyFormats}, the one table that knows every
 * family's package; a family's package names only this enum. Qwen3 is the Llama decoder with
 * per-head q/k norms (the book derives it the same way), so it shares Llama's package.
 */
public enum ModelFamily {
  GPT2("gpt2"),
  LLAMA("llama"),
  QWEN3("qwen3");

  private final String modelType;

  ModelFamily(String modelType) {
    this.modelType = modelType;
  }

  /** The {@code model_type} of {@code config.json}. */
  public String modelType() {
    return modelType;
  }

  /** The family of a {@code model_type}, or an {@link UnknownModelTypeException}. */
  public static ModelFamily ofModelType(String modelType) {
    for (ModelFamily f : values()) {
      if (f.modelType.equals(modelType)) {
        return f;
      }
    }
    throw new UnknownModelTypeException(modelType);
  }

  /** The known {@code model_type}s, for messages. */
  public static String known() {
    return Arrays.stream(values()).map(ModelFamily::modelType).collect(Collectors.joining(", "));
  }

  /** A {@code config.json} whose {@code model_type} no family reads. */
  public static final class UnknownModelTypeException extends IllegalArgumentException {
    public UnknownModelTypeException(String modelType) {
      super(
          "model_type '"
              + modelType
              + "' is not a model family this suite runs (known: "
              + known()
              + ")");
    }
  }
}
