package io.llmft.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code matmul(a.to(bfloat16), b.to(bfloat16)).to(float32)} with autograd, for the PyTorch engine.
 *
 * <p>DJL 0.36 cannot express it directly: its PyTorch binding has no bfloat16 type (asking for one
 * aborts the process in native code) and runs dtype casts without autograd. TorchScript can, and
 * DJL runs TorchScript modules with autograd in training mode. So this writes a minimal TorchScript
 * archive (the module's source in {@code code/__torch__.py}, its pickled state in {@code data.pkl})
 * and loads it on the model's device; gradients flow back through both casts to the fp32 operands.
 */
final class Bf16MatMul implements AutoCloseable {
  private static final String SOURCE =
      String.join(
          "\n",
          "class Bf16MatMul(Module):",
          "  __parameters__ = []",
          "  __buffers__ = []",
          "  training : bool",
          "  def forward(self: __torch__.Bf16MatMul,",
          "    a: Tensor,",
          "    b: Tensor) -> Tensor:",
          // ScalarType 15 is bfloat16, 6 is float32
          "    product = torch.matmul(torch.to(a, 15), torch.to(b, 15))",
          "    return torch.to(product, 6)",
          "");

  private final PtSymbolBlock block;
  private final ParameterStore store;

  private Bf16MatMul(PtSymbolBlock block, NDManager manager) {
    this.block = block;
    this.store = new ParameterStore(manager, false);
  }

  /** Loads the module on the manager's device. */
  static Bf16MatMul load(NDManager manager) {
    try {
      Path file = Files.createTempFile("bf16-matmul", ".pt");
      try {
        Files.write(file, archive());
        return new Bf16MatMul(
            JniUtils.loadModule(
                (PtNDManager) manager, file, true, new String[0], new String[0], true),
            manager);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the bf16 matmul module", e);
    }
  }

  /** (..., n, k) x (..., k, m) -> (..., n, m) in bfloat16, returned as float32. */
  NDArray apply(NDArray a, NDArray b) {
    // training mode: TorchScript records autograd (it follows the thread's grad mode)
    return block.forward(store, new NDList(unnamed(a), unnamed(b)), true).singletonOrThrow();
  }

  /**
   * DJL passes named arrays to TorchScript as entries of a dictionary keyed by name; the weights
   * are named, so they go in as an unnamed view (a reshape to the same shape, which autograd
   * follows).
   */
  private static NDArray unnamed(NDArray array) {
    return array.getName() == null ? array : array.reshape(array.getShape());
  }

  static byte[] archive() throws IOException {
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      entry(out, "code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
      entry(out, "data.pkl", modulePickle());
      entry(out, "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // an empty tuple
      entry(out, "version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
    return zip.toByteArray();
  }

  /** Pickle protocol 2 of the module object: {@code Bf16MatMul()} with {@code training=True}. */
  private static byte[] modulePickle() {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80); // PROTO 2
    p.write(2);
    p.writeBytes("c__torch__\nBf16MatMul\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL
    p.write(')'); // EMPTY_TUPLE
    p.write(0x81); // NEWOBJ
    p.write('}'); // EMPTY_DICT
    p.write('('); // MARK
    byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
    p.write('X'); // BINUNICODE, 4-byte little-endian length
    p.writeBytes(new byte[] {(byte) key.length, 0, 0, 0});
    p.writeBytes(key);
    p.write(0x88); // NEWTRUE
    p.write('u'); // SETITEMS
    p.write('b'); // BUILD
    p.write('.'); // STOP
    return p.toByteArray();
  }

  private static void entry(ZipOutputStream out, String name, byte[] data) throws IOException {
    out.putNextEntry(new ZipEntry("archive/" + name));
    out.write(data);
    out.closeEntry();
  }

  @Override
  public void close() {
    block.close();
  }
}
