package io.llmft.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl kustomize} itself on the base and the Strimzi overlay, where kubectl is installed
 * (the tests beside this one check the base without it; this one is reported as skipped without
 * it).
 */
class KustomizeBuildTest {
  static boolean kubectlInstalled() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, "kubectl"))) {
        return true;
      }
    }
    return false;
  }

  static List<Map<String, Object>> kustomize(String dir) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("kubectl", "kustomize", Repo.ROOT.resolve(dir).toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    Path tmp = Files.createTempFile("kustomized", ".yaml");
    Files.writeString(tmp, out);
    try {
      return Repo.yamlDocuments(tmp);
    } finally {
      Files.delete(tmp);
    }
  }

  private static boolean has(List<Map<String, Object>> docs, String kind, String name) {
    return docs.stream()
        .anyMatch(d -> kind.equals(d.get("kind")) && name.equals(Repo.at(d, "metadata", "name")));
  }

  @Test
  void baseAndStrimziOverlayRender() throws Exception {
    assumeTrue(kubectlInstalled(), "kubectl is not installed");
    List<Map<String, Object>> base = kustomize("deploy/k8s");
    assertTrue(has(base, "StatefulSet", "kafka"));
    assertTrue(
        base.stream()
            .allMatch(
                d ->
                    "Namespace".equals(d.get("kind"))
                        || "llmft".equals(Repo.at(d, "metadata", "namespace"))));
    List<Map<String, Object>> strimzi = kustomize("deploy/k8s/overlays/strimzi");
    assertFalse(has(strimzi, "StatefulSet", "kafka"));
    assertFalse(has(strimzi, "Job", "kafka-topics"));
    assertTrue(has(strimzi, "Kafka", "llmft-kafka"));
    Map<String, Object> config =
        strimzi.stream()
            .filter(d -> has(List.of(d), "ConfigMap", "llmft-config"))
            .findFirst()
            .orElseThrow();
    assertEquals("llmft-kafka-bootstrap:9093", Repo.at(config, "data", "KAFKA_BOOTSTRAP_SERVERS"));
    assertTrue(has(strimzi, "Deployment", "trainer"));
  }
}
