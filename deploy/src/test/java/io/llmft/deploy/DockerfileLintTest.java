package io.llmft.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The basics of every service Dockerfile: pinned bases, a non-root user, a health check, labels.
 */
class DockerfileLintTest {
  private static List<Path> dockerfiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Repo.Service s : Repo.SERVICES) {
      try (Stream<Path> paths =
          Files.list(Repo.ROOT.resolve(s.module()).resolve("src/main/docker"))) {
        paths.filter(p -> p.getFileName().toString().startsWith("Dockerfile")).forEach(files::add);
      }
    }
    return files;
  }

  @Test
  void everyServiceHasImagesOfTheRightKind() throws IOException {
    List<String> names =
        dockerfiles().stream().map(p -> Repo.ROOT.relativize(p).toString()).toList();
    assertTrue(names.contains("dataset-service/src/main/docker/Dockerfile.native"));
    assertTrue(names.contains("scoring-service/src/main/docker/Dockerfile.native"));
    assertTrue(names.contains("trainer-service/src/main/docker/Dockerfile.jvm"));
    assertTrue(names.contains("inference-service/src/main/docker/Dockerfile.jvm"));
    assertTrue(
        Repo.read(Repo.ROOT.resolve("trainer-service/src/main/docker/Dockerfile.jvm"))
            .contains("FROM nvidia/cuda:"));
  }

  @Test
  void basesArePinnedUsersAreNotRootAndThereIsAHealthCheck() throws IOException {
    for (Path file : dockerfiles()) {
      List<String> lines = Repo.read(file).lines().map(String::strip).toList();
      String name = Repo.ROOT.relativize(file).toString();
      List<String> froms = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
      assertTrue(froms.size() >= 2, name + " is multi-stage");
      for (String from : froms) {
        String image = from.split("\\s+")[1];
        assertTrue(image.contains(":"), name + ": " + image + " has no tag");
        assertFalse(image.endsWith(":latest"), name + ": " + image + " uses latest");
      }
      String lastUser =
          lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElse("USER root");
      String user = lastUser.substring(5).strip();
      assertFalse(user.equals("root") || user.equals("0"), name + " runs as root");
      assertTrue(
          lines.stream().anyMatch(l -> l.startsWith("HEALTHCHECK ")), name + " has no HEALTHCHECK");
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("LABEL ")), name + " has no LABEL");
      int port =
          Repo.SERVICES.stream()
              .filter(s -> name.startsWith(s.module()))
              .findFirst()
              .orElseThrow()
              .port();
      assertTrue(lines.contains("EXPOSE " + port), name + " exposes " + port);
    }
  }

  @Test
  void imagesThatRunLibtorchPreloadTcmalloc() {
    for (String module : List.of("trainer-service", "inference-service")) {
      String file = Repo.read(Repo.ROOT.resolve(module).resolve("src/main/docker/Dockerfile.jvm"));
      assertTrue(
          file.lines()
              .anyMatch(l -> l.startsWith("RUN apt-get") && l.contains(" libtcmalloc-minimal4")),
          module + " installs tcmalloc");
      assertTrue(
          file.contains("LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"),
          module + " preloads tcmalloc from where the package puts it");
    }
  }

  @Test
  void buildContextLeavesBuildOutputsOut() {
    String ignore = Repo.read(Repo.ROOT.resolve(".dockerignore"));
    assertTrue(ignore.contains("**/target/"));
    assertEquals(true, ignore.contains("data/"));
  }
}
