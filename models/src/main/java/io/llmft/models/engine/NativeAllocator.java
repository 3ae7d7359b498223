package io.llmft.models.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The malloc that serves libtorch's CPU tensors in this process, read from the libraries mapped
 * into it. It matters for speed: glibc's malloc hands every buffer above its mmap threshold back to
 * the kernel when it is freed, so each training step faults its large activations and gradients in
 * again (a gpt2-medium step was about a fifth slower); tcmalloc keeps them for the next step. The
 * service images and the main job preload tcmalloc ({@code LD_PRELOAD}).
 */
public enum NativeAllocator {
  TCMALLOC("tcmalloc"),
  JEMALLOC("jemalloc"),
  GLIBC("glibc malloc"),
  UNKNOWN("not known (no /proc/self/maps)");

  /** Where Debian and Ubuntu's {@code libtcmalloc-minimal4} puts the library on x86-64. */
  public static final String TCMALLOC_LIBRARY =
      "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";

  private final String label;

  NativeAllocator(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** The allocator of this process. */
  public static NativeAllocator current() {
    try {
      return of(Files.readString(Path.of("/proc/self/maps")));
    } catch (IOException | UnsupportedOperationException e) {
      return UNKNOWN;
    }
  }

  /** The allocator named by a {@code /proc/<pid>/maps} listing. */
  static NativeAllocator of(String maps) {
    if (maps.contains("libtcmalloc")) {
      return TCMALLOC;
    }
    if (maps.contains("libjemalloc")) {
      return JEMALLOC;
    }
    return maps.contains("libc.so") || maps.contains("libc-2.") ? GLIBC : UNKNOWN;
  }

  /** What this allocator means for the training step, in one sentence for a log or a report. */
  public String consequence() {
    return switch (this) {
      case TCMALLOC, JEMALLOC -> label + ": freed tensors are reused without faulting pages in";
      case GLIBC ->
          label
              + ": every step faults its large tensors in again (a gpt2-medium step measured"
              + " about a fifth slower than with tcmalloc); preload tcmalloc: LD_PRELOAD="
              + TCMALLOC_LIBRARY
              + " (Debian/Ubuntu package libtcmalloc-minimal4)";
      case UNKNOWN -> "allocator " + label;
    };
  }
}
