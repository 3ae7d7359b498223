package io.llmft.models;

import ai.djl.Device;
import io.llmft.models.engine.NativeBf16;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a served model's weights are held in and its products computed in ({@code
 * serving.precision}). {@code bf16} holds the projection weights in bfloat16 and multiplies in
 * bfloat16 ({@link Precision#BF16}): half the weight memory and half the bytes each decoded token
 * reads, with bfloat16's 8-bit mantissa. It is taken only where the device multiplies bfloat16
 * natively ({@link NativeBf16}) and the family holds bfloat16 weights; elsewhere the model is
 * served in fp32 and {@link Choice#reason} says why, since emulated bfloat16 is far slower than
 * fp32.
 */
public enum ServingPrecision {
  FP32,
  BF16;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The precision of {@code id} ({@code fp32} or {@code bf16}). */
  public static ServingPrecision fromId(String id) {
    for (ServingPrecision p : values()) {
      if (p.id().equals(id)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown serving precision '" + id + "' (known: " + String.join(", ", ids()) + ")");
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(ServingPrecision::id).toList();
  }

  /**
   * What a model is served in, asked for and taken.
   *
   * @param requested what the configuration asks for
   * @param served what the model is built with
   * @param reason why they differ, or what allowed bf16; empty for fp32 as asked
   */
  public record Choice(ServingPrecision requested, ServingPrecision served, String reason) {}

  /** What this precision becomes on {@code device} for a model of {@code family}. */
  public Choice on(Device device, ModelFamily family) {
    if (this == FP32) {
      return new Choice(FP32, FP32, "");
    }
    NativeBf16 hardware = NativeBf16.of(device);
    if (!hardware.nativeBf16()) {
      return new Choice(this, FP32, "served in fp32: " + hardware.reason());
    }
    if (family == ModelFamily.GPT2) {
      return new Choice(this, FP32, "served in fp32: GPT-2's weights are not held in bfloat16");
    }
    return new Choice(this, BF16, hardware.reason());
  }

  /**
   * The model over {@code weights} (which it takes over) in what {@code choice} serves: fp32 as
   * they are, or bfloat16 weights and products.
   */
  public static LanguageModel build(ModelWeights weights, Choice choice, Adapter adapter) {
    if (choice.served() == FP32) {
      return weights.build(Precision.FP32, adapter);
    }
    ModelWeights held;
    try {
      held = weights.withBf16Matrices();
    } catch (RuntimeException e) {
      weights.manager().close();
      throw e;
    }
    if (held == null) {
      return weights.build(Precision.FP32, adapter);
    }
    return held.build(Precision.BF16, adapter);
  }
}
