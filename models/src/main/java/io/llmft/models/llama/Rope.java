package io.llmft.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/**
 * Rotary position embeddings as the book's {@code compute_rope_params} and {@code apply_rope}: the
 * rotate-half convention of Hugging Face's files (the first half of a head's dimensions paired with
 * the second, no q/k permutation), with Llama 3's frequency scaling where the config has it, at
 * every length. The tables are computed once for the whole context, the transcendental functions by
 * libtorch and the scaling in single precision, as PyTorch computes them.
 */
final class Rope implements AutoCloseable {
  private final NDArray cos; // (context, D)
  private final NDArray sin; // (context, D)

  private Rope(NDArray cos, NDArray sin) {
    this.cos = cos;
    this.sin = sin;
  }

  static Rope of(LlamaConfig c, NDManager parent) {
    NDManager m = parent.newSubManager();
    int d = c.headDim();
    try (NDManager scratch = m.newSubManager()) {
      // 1 / theta ** (arange(0, D, 2) / D)
      NDArray exponents = scratch.arange(0, d, 2, DataType.FLOAT32).div(scratch.create((float) d));
      NDArray powers = scratch.full(new Shape(d / 2), (float) c.ropeTheta()).pow(exponents);
      float[] inv = scratch.ones(new Shape(d / 2)).div(powers).toFloatArray();
      if (c.ropeScaling() != null) {
        inv = scaled(inv, c.ropeScaling());
      }
      NDArray positions = scratch.arange(0, c.contextLength(), 1, DataType.FLOAT32).expandDims(1);
      NDArray angles = positions.mul(scratch.create(inv).expandDims(0)); // (context, D / 2)
      angles = angles.concat(angles, 1); // (context, D)
      NDArray cos = angles.cos();
      NDArray sin = angles.sin();
      cos.attach(m);
      sin.attach(m);
      return new Rope(cos, sin);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** Llama 3's scaling of the inverse frequencies, in float32 as the book's torch code. */
  static float[] scaled(float[] inv, LlamaConfig.RopeScaling s) {
    float factor = (float) s.factor();
    float low = (float) s.lowFreqFactor();
    float high = (float) s.highFreqFactor();
    float original = s.originalContextLength();
    float lowFreqWavelen = (float) (s.originalContextLength() / s.lowFreqFactor());
    float highFreqWavelen = (float) (s.originalContextLength() / s.highFreqFactor());
    float twoPi = (float) (2 * Math.PI);
    float[] out = new float[inv.length];
    for (int i = 0; i < inv.length; i++) {
      float wavelen = twoPi / inv[i];
      float scaled = wavelen > lowFreqWavelen ? inv[i] / factor : inv[i];
      if (wavelen <= lowFreqWavelen && wavelen >= highFreqWavelen) {
        float smooth = (original / wavelen - low) / (high - low);
        scaled = (1 - smooth) * (inv[i] / factor) + smooth * inv[i];
      }
      out[i] = scaled;
    }
    return out;
  }

  /**
   * The tables at the tokens' positions, shaped to broadcast over (B, H, T, D): positions (T) give
   * (T, D), positions (B, T) give (B, 1, T, D).
   */
  NDList at(NDArray positionIds) {
    NDArray ids = positionIds.toType(DataType.INT64, false);
    NDArray c = Embedding.embedding(ids, cos, SparseFormat.DENSE).head();
    NDArray s = Embedding.embedding(ids, sin, SparseFormat.DENSE).head();
    if (ids.getShape().dimension() == 2) {
      c = c.expandDims(1);
      s = s.expandDims(1);
    }
    return new NDList(c, s);
  }

  /** {@code x * cos + rotate_half(x) * sin}: (B, H, T, D) -> (B, H, T, D). */
  static NDArray apply(NDArray x, NDList cosSin) {
    NDList halves = x.split(2, 3);
    NDArray rotated = halves.get(1).neg().concat(halves.get(0), -1);
    return x.mul(cosSin.get(0)).add(rotated.mul(cosSin.get(1)));
  }

  @Override
  public void close() {
    cos.getManager().close();
  }
}
