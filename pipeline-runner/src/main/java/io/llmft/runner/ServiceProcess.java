package io.llmft.runner;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One service, started from its packaged Quarkus application as a child process. The services whose
 * work is libtorch's get tcmalloc preloaded where it is installed, as their images do; elsewhere
 * glibc's malloc with {@link #GLIBC_TUNABLES} (untuned, it hands libtorch's large buffers back to
 * the kernel and faults them in again every training step).
 */
public final class ServiceProcess implements AutoCloseable {
  /** tcmalloc where Debian's and Ubuntu's {@code libtcmalloc-minimal4} put it on x86-64. */
  static final Path TCMALLOC = Path.of("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4");

  static final Set<String> TORCH_SERVICES = Set.of("trainer-service", "inference-service");

  /**
   * glibc's malloc for libtorch: one arena, never mmap, never trim, so that a step's large buffers
   * are reused from the heap instead of unmapped and faulted in again; as fast as tcmalloc on the
   * training step, at a higher peak of resident memory (docs/benchmarks.md, the allocators).
   */
  static final String GLIBC_TUNABLES =
      "glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184";

  private final String name;
  private final int port;
  private final Path log;
  private final Process process;

  private ServiceProcess(String name, int port, Path log, Process process) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.process = process;
  }

  public static ServiceProcess start(String name, int port, RunnerOptions options)
      throws IOException {
    return start(name, port, options, Map.of());
  }

  /** Starts one instance; {@code env} adds to (or overrides) the environment it gets. */
  public static ServiceProcess start(
      String name, int port, RunnerOptions options, Map<String, String> extraEnv)
      throws IOException {
    Path jar = options.repository.resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IOException(jar + " is missing: build first (mvn package -DskipTests)");
    }
    Path log = options.artifacts.resolve("logs").resolve(name + "-" + port + ".log");
    Files.createDirectories(log.getParent());
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx4g",
                "-Dquarkus.http.port=" + port,
                "-jar",
                jar.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("ARTIFACTS_DIR", options.artifacts.toString());
    env.put("KAFKA_BOOTSTRAP_SERVERS", options.kafka);
    env.put("OLLAMA_HOST", options.ollama);
    env.put("API_KEYS", "operator:" + options.apiKey());
    env.putIfAbsent("OPT_OUT_TRACKING", "true");
    if (!options.importRoots.isEmpty()) {
      List<String> roots =
          new ArrayList<>(List.of(options.artifacts.resolve("imports").toString()));
      roots.addAll(options.importRoots);
      env.put("ALLOWED_IMPORT_ROOTS", String.join(",", roots));
    }
    if (TORCH_SERVICES.contains(name)) {
      if (tcmalloc()) {
        env.putIfAbsent("LD_PRELOAD", TCMALLOC.toString());
      } else if (!"glibc-untuned".equals(System.getenv("ALLOCATOR"))) {
        env.putIfAbsent("GLIBC_TUNABLES", GLIBC_TUNABLES);
      }
    }
    env.putAll(options.serviceEnv);
    env.putAll(extraEnv);
    return new ServiceProcess(name, port, log, builder.start());
  }

  static boolean tcmallocInstalled() {
    return Files.isReadable(TCMALLOC);
  }

  /**
   * Whether the torch services get tcmalloc: where it is installed, unless ALLOCATOR names glibc
   * ({@code glibc}: tuned, {@code glibc-untuned}: as glibc comes, for measurements).
   */
  static boolean tcmalloc() {
    String allocator = System.getenv("ALLOCATOR");
    return tcmallocInstalled() && (allocator == null || !allocator.startsWith("glibc"));
  }

  /** Which malloc the trainer and inference processes get, for the run's first lines. */
  static String allocatorNotice() {
    if (tcmalloc()) {
      return "trainer and inference run on tcmalloc (preloaded from " + TCMALLOC + ")";
    }
    if ("glibc-untuned".equals(System.getenv("ALLOCATOR"))) {
      return "ALLOCATOR=glibc-untuned: trainer and inference run on glibc malloc as it comes, which"
          + " makes every training step fault its large tensors in again";
    }
    return (tcmallocInstalled()
            ? "ALLOCATOR=glibc:"
            : "tcmalloc is not installed (Debian/Ubuntu: apt-get install libtcmalloc-minimal4):")
        + " trainer and inference run on glibc malloc tuned for libtorch (GLIBC_TUNABLES="
        + GLIBC_TUNABLES
        + "): as fast, more resident memory (docs/benchmarks.md)";
  }

  public String name() {
    return name;
  }

  public String url() {
    return "http://localhost:" + port;
  }

  /** Waits until {@code /q/health/ready} (public, as probes need it) answers 200. */
  public void awaitReady(Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    Instant end = Instant.now().plus(timeout);
    while (Instant.now().isBefore(end)) {
      if (!process.isAlive()) {
        throw new IOException(name + " exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(300);
    }
    throw new IOException(name + " was not ready within " + timeout + "; see " + log);
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the process to end by itself; its exit code, or -1 when it still runs. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        ? process.exitValue()
        : -1;
  }

  /**
   * SIGTERM, as Kubernetes stops a pod, and waits up to {@code timeout} for a graceful exit.
   *
   * @return the exit code
   */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(name + " did not exit within " + timeout + " of SIGTERM");
    }
    return process.exitValue();
  }

  /** Ends the process at once, as a crash or an evicted pod would (no shutdown hooks run). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
