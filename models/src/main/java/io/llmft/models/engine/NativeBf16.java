package io.llmft.models.engine;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a device multiplies bfloat16 natively. Where it does not, libtorch emulates bfloat16
 * products and they are far slower than fp32 (two gpt2-small steps took about 12 minutes on an AVX2
 * CPU, fp32 4 s each), so bf16 is offered only where it is native: CPUs with AVX-512 BF16 or AMX
 * (the {@code avx512_bf16} / {@code amx_bf16} flags), CUDA GPUs of compute capability 8.0 or more.
 *
 * @param nativeBf16 whether bfloat16 products run in hardware
 * @param reason what decided it, for job documents and errors
 */
public record NativeBf16(boolean nativeBf16, String reason) {
  private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

  /** The answer for {@code device}. */
  public static NativeBf16 of(Device device) {
    if (device.isGpu()) {
      return ofCuda(CudaUtils.getComputeCapability(device.getDeviceId()));
    }
    Set<String> flags = cpuFlags();
    return flags.isEmpty()
        ? new NativeBf16(false, "the CPU's flags could not be read from " + CPU_INFO)
        : ofCpuFlags(flags);
  }

  /** This machine's CPU flags ({@code /proc/cpuinfo}); empty where they cannot be read. */
  public static Set<String> cpuFlags() {
    try {
      return cpuFlags(Files.readString(CPU_INFO));
    } catch (IOException e) {
      return Set.of();
    }
  }

  /** From a CUDA compute capability as DJL gives it ({@code "80"} for 8.0). */
  static NativeBf16 ofCuda(String capability) {
    int value = Integer.parseInt(capability.trim());
    String shown = value / 10 + "." + value % 10;
    return value >= 80
        ? new NativeBf16(true, "CUDA compute capability " + shown + " (8.0 or more)")
        : new NativeBf16(false, "CUDA compute capability " + shown + " (bfloat16 needs 8.0)");
  }

  static NativeBf16 ofCpuFlags(Set<String> flags) {
    if (flags.contains("amx_bf16")) {
      return new NativeBf16(true, "the CPU has AMX (amx_bf16)");
    }
    if (flags.contains("avx512_bf16")) {
      return new NativeBf16(true, "the CPU has AVX-512 BF16 (avx512_bf16)");
    }
    String has =
        flags.contains("avx512f") ? "avx512f" : flags.contains("avx2") ? "avx2" : "neither avx2";
    return new NativeBf16(
        false,
        "the CPU has " + has + " but neither avx512_bf16 nor amx_bf16: bfloat16 is emulated");
  }

  /** The flags of the first processor in {@code /proc/cpuinfo}'s text. */
  static Set<String> cpuFlags(String cpuInfo) {
    return cpuInfo
        .lines()
        .filter(line -> line.startsWith("flags"))
        .findFirst()
        .map(line -> line.substring(line.indexOf(':') + 1).trim())
        .map(flags -> Arrays.stream(flags.split("\\s+")).collect(Collectors.toSet()))
        .orElse(Set.of());
  }
}
