package io.llmft.deploy;

import static io.llmft.deploy.Repo.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerComposeTest {
  private static final Map<String, Object> COMPOSE =
      Repo.yamlDocuments(Repo.ROOT.resolve("docker-compose.yml")).get(0);

  private static Map<String, Object> service(String name) {
    Map<String, Object> s = at(COMPOSE, "services", name);
    assertNotNull(s, "compose service " + name);
    return s;
  }

  @Test
  void kafkaInKraftModeOllamaWithLlama3AndTopicsUpFront() {
    Map<String, Object> kafka = service("kafka");
    assertTrue(kafka.get("image").toString().startsWith("apache/kafka:4."));
    assertEquals("broker,controller", at(kafka, "environment", "KAFKA_PROCESS_ROLES"));
    String topics = service("kafka-topics").get("command").toString();
    Repo.TOPICS.forEach(t -> assertTrue(topics.contains(t + ":"), "topic " + t));
    Repo.JOB_TOPICS.forEach(
        t -> assertTrue(topics.contains(t + ":" + Repo.JOB_PARTITIONS), t + " partitions"));
    assertTrue(service("ollama").get("image").toString().startsWith("ollama/ollama:"));
    assertTrue(service("ollama-pull").get("entrypoint").toString().contains("llama3"));
  }

  @Test
  void servicesShareTheArtifactVolumeWaitForHealthyDependenciesAndReadTheirEnv() {
    assertTrue(((Map<?, ?>) COMPOSE.get("volumes")).containsKey("artifacts"));
    for (Repo.Service s : Repo.SERVICES) {
      Map<String, Object> svc = service(s.name());
      assertEquals(s.image(), svc.get("image"));
      String dockerfile = at(svc, "build", "dockerfile");
      assertTrue(Files.isRegularFile(Repo.ROOT.resolve(dockerfile)), dockerfile);
      assertTrue(((List<?>) svc.get("volumes")).contains("artifacts:/artifacts"));
      assertNotNull(svc.get("healthcheck"), s.name() + " health check");
      Map<String, Object> dependsOn = at(svc, "depends_on");
      dependsOn
          .values()
          .forEach(d -> assertTrue(at(d, "condition").toString().startsWith("service_")));
      Map<String, Object> env = at(svc, "environment");
      env.keySet()
          .forEach(
              name ->
                  assertTrue(
                      Repo.serviceReads(s.module(), name), s.name() + " does not read " + name));
      assertEquals("kafka:9092", env.get("KAFKA_BOOTSTRAP_SERVERS"));
    }
    assertEquals("http://ollama:11434", at(service("scoring"), "environment", "OLLAMA_HOST"));
    assertEquals("service_healthy", at(service("scoring"), "depends_on", "ollama", "condition"));
  }

  @Test
  void gpuTrainerIsAProfileWithAnNvidiaReservation() {
    Map<String, Object> gpu = service("trainer-gpu");
    assertEquals(List.of("gpu"), gpu.get("profiles"));
    assertEquals(
        "nvidia", at(gpu, "deploy", "resources", "reservations", "devices", "0", "driver"));
    assertEquals(
        List.of("gpu"),
        at(gpu, "deploy", "resources", "reservations", "devices", "0", "capabilities"));
    assertEquals(null, service("trainer").get("profiles"), "the CPU trainer runs by default");
    assertEquals(service("trainer").get("image"), gpu.get("image"));
  }

  @Test
  void theReaderRefusesAKeyDefinedTwiceAsDockerComposeDoes() {
    String twice = "services:\n  t:\n    environment:\n      HF_TOKEN: a\n      HF_TOKEN: b\n";
    org.junit.jupiter.api.Assertions.assertThrows(
        org.yaml.snakeyaml.constructor.DuplicateKeyException.class,
        () -> Repo.strictYaml().load(twice));
  }
}
