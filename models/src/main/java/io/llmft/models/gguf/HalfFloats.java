package io.llmft.models.gguf;

/** IEEE half precision and bfloat16 from float32, both rounded to the nearest even. */
final class HalfFloats {
  private HalfFloats() {}

  /** The fp16 bits nearest to {@code value} (overflow to infinity, NaN kept NaN). */
  static short toHalf(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs >= 0x7f800000) { // infinity or NaN
      return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
    }
    if (abs >= 0x477ff000) { // rounds to at least 65520: infinity
      return (short) (sign | 0x7c00);
    }
    if (abs < 0x38800000) { // below the smallest normal half, 2^-14: a subnormal or zero
      float magnitude = Float.intBitsToFloat(abs);
      // the subnormal step is 2^-24; Math.rint rounds half to even
      return (short) (sign | (int) Math.rint(magnitude * 0x1p24f));
    }
    int exponent = ((abs >>> 23) - 127 + 15) << 10;
    int mantissa = abs & 0x7fffff;
    int half = exponent | (mantissa >>> 13);
    int rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
      half++; // a carry into the exponent is still the right value
    }
    return (short) (sign | half);
  }

  /** The bfloat16 bits nearest to {@code value} (the upper half of its float32 bits, rounded). */
  static short toBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x40); // a quiet NaN
    }
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }
}
