package io.llmft.models.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NativeBf16Test {
  @Test
  void cpusWithAvx512Bf16OrAmxMultiplyBfloat16() {
    assertTrue(NativeBf16.ofCpuFlags(Set.of("avx2", "avx512f", "avx512_bf16")).nativeBf16());
    assertTrue(NativeBf16.ofCpuFlags(Set.of("avx2", "amx_bf16", "amx_tile")).nativeBf16());
    NativeBf16 avx2 = NativeBf16.ofCpuFlags(Set.of("fpu", "avx2", "fma"));
    assertFalse(avx2.nativeBf16());
    assertTrue(avx2.reason().contains("avx2") && avx2.reason().contains("emulated"), avx2.reason());
    assertFalse(NativeBf16.ofCpuFlags(Set.of("avx2", "avx512f")).nativeBf16());
  }

  @Test
  void cudaFromComputeCapabilityEight() {
    assertTrue(NativeBf16.ofCuda("80").nativeBf16()); // A100
    assertTrue(NativeBf16.ofCuda("90").nativeBf16()); // H100, H200
    NativeBf16 t4 = NativeBf16.ofCuda("75");
    assertFalse(t4.nativeBf16());
    assertEquals("CUDA compute capability 7.5 (bfloat16 needs 8.0)", t4.reason());
  }

  @Test
  void readsTheFlagsLineOfCpuinfo() {
    String cpuinfo =
        "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu vme avx2 fma avx512_bf16\n"
            + "bugs\t\t: sysret_ss_attrs\n\nprocessor\t: 1\nflags\t\t: fpu\n";
    assertEquals(Set.of("fpu", "vme", "avx2", "fma", "avx512_bf16"), NativeBf16.cpuFlags(cpuinfo));
    assertEquals(Set.of(), NativeBf16.cpuFlags("processor: 0\n"));
  }

  @Test
  void thisMachinesCpuHasAnAnswerWithAReason() {
    NativeBf16 here = NativeBf16.of(Device.cpu());
    assertFalse(here.reason().isBlank());
  }
}
