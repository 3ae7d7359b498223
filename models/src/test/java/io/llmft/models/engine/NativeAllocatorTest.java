package io.llmft.models.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class NativeAllocatorTest {
  private static final String GLIBC_MAPS =
      "7f0c1c000000-7f0c1c028000 r--p 00000000 08:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
          + "7f0c1d000000-7f0c1d100000 r-xp 00000000 08:01 99 /tmp/libtorch_cpu.so\n";

  @Test
  void readsTheAllocatorFromTheMappedLibraries() {
    assertEquals(NativeAllocator.GLIBC, NativeAllocator.of(GLIBC_MAPS));
    assertEquals(
        NativeAllocator.TCMALLOC,
        NativeAllocator.of(
            GLIBC_MAPS
                + "7f0c1e000000-7f0c1e040000 r-xp 00000000 08:01 77"
                + " /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.10\n"));
    assertEquals(
        NativeAllocator.JEMALLOC,
        NativeAllocator.of(
            GLIBC_MAPS + "7f0c1f000000-7f0c1f040000 r-xp 0 0 0 /x/libjemalloc.so.2\n"));
    assertEquals(
        NativeAllocator.UNKNOWN, NativeAllocator.of("00400000-00401000 r-xp 0 0 0 /a.out\n"));
  }

  @Test
  void glibcSaysWhatItCostsAndHowToPreloadTcmalloc() {
    String text = NativeAllocator.GLIBC.consequence();
    assertTrue(text.contains("LD_PRELOAD=" + NativeAllocator.TCMALLOC_LIBRARY), text);
    assertTrue(text.contains("libtcmalloc-minimal4"), text);
  }

  @Test
  void thisProcessHasAKnownAllocator() {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "Linux only");
    assertNotEquals(NativeAllocator.UNKNOWN, NativeAllocator.current());
  }
}
