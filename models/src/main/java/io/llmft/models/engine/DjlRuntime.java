package io.llmft.models.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares DJL before its first use: offline by default (the PyTorch natives come from the bundled
 * {@code pytorch-native-cpu} jar, nothing is downloaded and nothing is reported), unless {@code
 * DJL_OFFLINE=false} or {@code -Dai.djl.offline=false} asks otherwise (an image that lets DJL fetch
 * CUDA natives).
 */
public final class DjlRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(DjlRuntime.class);
  private static boolean initialized;

  private DjlRuntime() {}

  /** Sets DJL up once; says which malloc libtorch's CPU tensors get (a warning for glibc's). */
  public static synchronized void init() {
    if (initialized) {
      return;
    }
    initialized = true;
    if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    NativeAllocator allocator = NativeAllocator.current();
    if (allocator == NativeAllocator.GLIBC) {
      LOG.warn("native allocator: {}", allocator.consequence());
    } else {
      LOG.info("native allocator: {}", allocator.consequence());
    }
  }

  /**
   * The devices a training job uses, data parallel: every GPU DJL finds (at most {@code max} when
   * it is positive), else the CPU.
   */
  public static java.util.List<Device> trainingDevices(int max) {
    init();
    int gpus = Engine.getInstance().getGpuCount();
    if (gpus == 0) {
      return java.util.List.of(Device.cpu());
    }
    int count = max > 0 ? Math.min(max, gpus) : gpus;
    return java.util.stream.IntStream.range(0, count).mapToObj(Device::gpu).toList();
  }

  /** The device new arrays go to: the first GPU when DJL finds one, else the CPU. */
  public static Device device() {
    init();
    return Engine.getInstance().defaultDevice();
  }
}
