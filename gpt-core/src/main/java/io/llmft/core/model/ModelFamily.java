package io.llmft.core.model;

import io.llmft.core.model.gpt2.Gpt2Format;
import io.llmft.core.model.llama.LlamaFormat;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The model families the suite runs, each named by the {@code model_type} of its Hugging Face
 * {@code config.json}, and the one place a family is registered: its {@link FamilyFormat} reads and
 * writes its files and builds its model. Qwen3 is the Llama decoder with per-head q/k norms (the
 * book derives it the same way), so it shares Llama's package.
 */
public enum ModelFamily {
  GPT2("gpt2", new Gpt2Format()),
  LLAMA("llama", new LlamaFormat(false)),
  QWEN3("qwen3", new LlamaFormat(true));

  private final String modelType;
  private final FamilyFormat format;

  ModelFamily(String modelType, FamilyFormat format) {
    this.modelType = modelType;
    this.format = format;
  }

  /** The {@code model_type} of {@code config.json}. */
  public String modelType() {
    return modelType;
  }

  public FamilyFormat format() {
    return format;
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
