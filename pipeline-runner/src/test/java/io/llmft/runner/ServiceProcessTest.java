package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The benchmark measures glibc tuned exactly as the main job and the process tests tune it. */
class ServiceProcessTest {
  @Test
  void theBenchmarkTunesGlibcAsTheServicesAre() throws Exception {
    String script = Files.readString(Path.of("../scripts/benchmark.sh"));
    assertTrue(
        script.contains("TUNED=\"" + ServiceProcess.GLIBC_TUNABLES + "\""),
        "scripts/benchmark.sh's TUNED is ServiceProcess.GLIBC_TUNABLES");
  }
}
