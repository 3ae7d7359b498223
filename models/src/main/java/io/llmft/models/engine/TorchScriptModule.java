package io.llmft.models.engine;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A small TorchScript module written from source at run time and loaded into the PyTorch engine,
 * for the few operations DJL 0.36 does not expose (bfloat16 products with autograd, PyTorch's fused
 * AdamW kernel). The archive holds what {@code torch.jit.save} would write for a module without
 * parameters: its class in {@code code/__torch__.py} and its pickled state ({@code training=True})
 * in {@code data.pkl}.
 */
public final class TorchScriptModule {
  private TorchScriptModule() {}

  /**
   * Loads the module on the manager's device.
   *
   * @param className the class {@code source} defines, a Python identifier
   * @param source the class, as TorchScript prints it ({@code class X(Module): ...})
   */
  public static PtSymbolBlock load(NDManager manager, String className, String source) {
    if (!className.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("not a class name: " + className);
    }
    try {
      Path file = Files.createTempFile(className, ".pt");
      try {
        Files.write(file, archive(className, source));
        return JniUtils.loadModule(
            (PtNDManager) manager, file, true, new String[0], new String[0], true);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the TorchScript module " + className, e);
    }
  }

  /**
   * DJL passes named arrays to TorchScript as entries of a dictionary keyed by name; the weights
   * are named, so they go in as an unnamed view (a reshape to the same shape, which autograd
   * follows).
   */
  static ai.djl.ndarray.NDArray unnamed(ai.djl.ndarray.NDArray array) {
    return array.getName() == null ? array : array.reshape(array.getShape());
  }

  static byte[] archive(String className, String source) throws IOException {
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      entry(out, "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
      entry(out, "data.pkl", modulePickle(className));
      entry(out, "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // an empty tuple
      entry(out, "version", "10\n".getBytes(StandardCharsets.US_ASCII));
    }
    return zip.toByteArray();
  }

  /** Pickle protocol 2 of {@code __torch__.<className>()} with {@code training=True}. */
  private static byte[] modulePickle(String className) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80); // PROTO 2
    p.write(2);
    p.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
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
}
