package io.llmft.deploy;

import static io.llmft.deploy.Repo.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The deployment is closed by default: every pod non-root with a read-only root file system, no
 * privilege escalation, no capabilities and the RuntimeDefault seccomp profile (Kafka and Ollama
 * too); a default-deny NetworkPolicy with only the suite's flows allowed; the API keys from a
 * Secret; compose publishing only the APIs, on 127.0.0.1; Strimzi users with ACLs per service.
 */
class SecurityHardeningTest {
  private static final Path K8S = Repo.ROOT.resolve("deploy/k8s");

  private static final List<Map<String, Object>> BASE = Repo.kustomizationResources(K8S);

  private static List<Map<String, Object>> podSpecs() {
    return BASE.stream()
        .filter(d -> Set.of("Deployment", "StatefulSet", "Job").contains(d.get("kind")))
        .map(d -> Repo.<Map<String, Object>>at(d, "spec", "template", "spec"))
        .toList();
  }

  @Test
  void everyPodRunsNonRootReadOnlyWithoutCapabilitiesUnderRuntimeDefaultSeccomp() {
    List<Map<String, Object>> pods = podSpecs();
    assertTrue(pods.size() >= 7, "services, Kafka, Ollama and its job: " + pods.size());
    for (Map<String, Object> pod : pods) {
      assertEquals(true, at(pod, "securityContext", "runAsNonRoot"), pod.toString());
      assertNotNull(at(pod, "securityContext", "runAsUser"), "a numeric user: " + pod);
      assertEquals("RuntimeDefault", at(pod, "securityContext", "seccompProfile", "type"));
      List<Map<String, Object>> containers = new ArrayList<>(at(pod, "containers"));
      if (pod.get("initContainers") != null) {
        containers.addAll(at(pod, "initContainers"));
      }
      for (Map<String, Object> c : containers) {
        String name = c.get("name").toString();
        assertEquals(false, at(c, "securityContext", "allowPrivilegeEscalation"), name);
        assertEquals(true, at(c, "securityContext", "readOnlyRootFilesystem"), name);
        assertEquals(List.of("ALL"), at(c, "securityContext", "capabilities", "drop"), name);
      }
    }
  }

  @Test
  void defaultDenyWithOnlyTheSuitesFlows() {
    Map<String, Map<String, Object>> policies =
        BASE.stream()
            .filter(d -> "NetworkPolicy".equals(d.get("kind")))
            .collect(Collectors.toMap(d -> at(d, "metadata", "name"), d -> d));
    Map<String, Object> deny = policies.get("default-deny");
    assertNotNull(deny, "a default-deny policy");
    assertEquals(Map.of(), at(deny, "spec", "podSelector"));
    assertEquals(List.of("Ingress", "Egress"), at(deny, "spec", "policyTypes"));
    assertEquals(
        Set.of(
            "default-deny",
            "dns",
            "kafka-clients",
            "kafka",
            "scoring-to-ollama",
            "ollama",
            "model-downloads",
            "dataset-downloads",
            "api-ingress",
            "otel-export"),
        policies.keySet());
    String downloads = policies.get("model-downloads").toString();
    assertTrue(downloads.contains("169.254.0.0/16") && downloads.contains("10.0.0.0/8"), downloads);
    String datasets = policies.get("dataset-downloads").toString();
    assertTrue(
        datasets.contains("169.254.0.0/16") && datasets.contains("port=80"),
        "dataset URLs: public http and https only: " + datasets);
    assertTrue(
        policies.get("scoring-to-ollama").toString().contains("scoring"),
        "only scoring (and the pull job) reach Ollama");
    String otel = policies.get("otel-export").toString();
    assertTrue(
        otel.contains("opentelemetry-collector") && otel.contains("4317"),
        "traces only to a collector: " + otel);
  }

  @Test
  void servicesReadTheirApiKeysFromASecret() {
    for (Repo.Service s : Repo.SERVICES) {
      Map<String, Object> deployment =
          BASE.stream()
              .filter(d -> "Deployment".equals(d.get("kind")))
              .filter(d -> s.name().equals(at(d, "metadata", "name")))
              .findFirst()
              .orElseThrow();
      List<Map<String, Object>> env =
          at(deployment, "spec", "template", "spec", "containers", "0", "env");
      Map<String, Object> keys =
          env.stream().filter(e -> "API_KEYS".equals(e.get("name"))).findFirst().orElseThrow();
      assertEquals("llmft-api-keys", at(keys, "valueFrom", "secretKeyRef", "name"), s.name());
      assertEquals(null, keys.get("value"), "no key is written into a manifest");
    }
  }

  @Test
  void strimziUsersMayReadTheirOwnTopicAndWriteTheNextAndJobEvents() {
    List<Map<String, Object>> users =
        Repo.yamlDocuments(K8S.resolve("overlays/strimzi/users.yaml"));
    Map<String, String> next =
        Map.of(
            "dataset-service", "training-jobs",
            "trainer-service", "inference-jobs",
            "inference-service", "scoring-jobs");
    Map<String, String> own =
        Map.of(
            "dataset-service", "dataset-jobs",
            "trainer-service", "training-jobs",
            "inference-service", "inference-jobs",
            "scoring-service", "scoring-jobs");
    assertEquals(
        own.keySet(),
        users.stream().map(u -> at(u, "metadata", "name")).collect(Collectors.toSet()));
    for (Map<String, Object> user : users) {
      String name = at(user, "metadata", "name");
      assertEquals("scram-sha-512", at(user, "spec", "authentication", "type"));
      List<Map<String, Object>> acls = at(user, "spec", "authorization", "acls");
      Map<String, List<?>> byTopic =
          acls.stream()
              .filter(a -> "topic".equals(at(a, "resource", "type")))
              .collect(
                  Collectors.toMap(
                      a -> at(a, "resource", "name"), a -> (List<?>) a.get("operations")));
      assertTrue(byTopic.get(own.get(name)).contains("Read"), name);
      assertTrue(byTopic.get("job-events").contains("Write"), name);
      // every service reads job-events, in its instances' own groups, for its event streams
      assertTrue(byTopic.get("job-events").contains("Read"), name);
      assertTrue(
          acls.stream()
              .anyMatch(
                  a ->
                      "group".equals(at(a, "resource", "type"))
                          && (name + "-events-").equals(at(a, "resource", "name"))
                          && "prefix".equals(at(a, "resource", "patternType"))),
          name + " may read in the groups of its event streams");
      if (next.containsKey(name)) {
        assertTrue(byTopic.get(next.get(name)).contains("Write"), name);
        assertFalse(byTopic.get(next.get(name)).contains("Read"), name);
      }
      Set<String> allowed =
          Set.of(own.get(name), own.get(name) + "-dlq", "job-events", next.getOrDefault(name, ""));
      assertTrue(
          allowed.containsAll(byTopic.keySet()),
          name + " touches only its topics: " + byTopic.keySet());
    }
    String kafka = Repo.read(K8S.resolve("overlays/strimzi/kafka.yaml"));
    assertTrue(kafka.contains("scram-sha-512") && kafka.contains("tls: true"), kafka);
  }

  @Test
  void theBaseKafkaTakesScramClientsWithTheSameUsersAndAcls() {
    Map<String, Object> kafka =
        BASE.stream().filter(d -> "StatefulSet".equals(d.get("kind"))).findFirst().orElseThrow();
    String broker = at(kafka, "spec", "template", "spec", "containers", "0", "env").toString();
    assertTrue(broker.contains("SASL:SASL_PLAINTEXT") && broker.contains("StandardAuthorizer"));
    assertTrue(broker.contains("LOCAL://127.0.0.1:9094"), "PLAINTEXT only on the pod's loopback");
    assertTrue(broker.contains("{name=KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND, value=false}"), broker);
    String setup = at(kafka, "spec", "template", "spec", "containers", "1", "args").toString();
    assertTrue(
        setup.contains(
            "user dataset-service \"$DATASET_PASSWORD\" dataset-jobs \"dataset-jobs-dlq training-jobs job-events\""),
        setup);
    assertTrue(
        setup.contains(
            "user scoring-service \"$SCORING_PASSWORD\" scoring-jobs \"scoring-jobs-dlq job-events\""),
        setup);
    for (Repo.Service s : Repo.SERVICES) {
      String env =
          BASE.stream()
              .filter(d -> "Deployment".equals(d.get("kind")))
              .filter(d -> s.name().equals(at(d, "metadata", "name")))
              .findFirst()
              .map(d -> at(d, "spec", "template", "spec", "containers", "0", "env").toString())
              .orElseThrow();
      assertTrue(
          env.contains("secretKeyRef={name=" + s.name() + "-service, key=sasl.jaas.config}"), env);
    }
  }

  @Test
  void composePublishesOnlyTheApisOnLoopbackAndMountsTheKeysSecret() {
    Map<String, Object> compose =
        Repo.yamlDocuments(Repo.ROOT.resolve("docker-compose.yml")).get(0);
    Map<String, Map<String, Object>> services = at(compose, "services");
    for (var e : services.entrySet()) {
      List<?> ports = (List<?>) e.getValue().get("ports");
      if (Set.of("kafka", "ollama", "kafka-topics", "ollama-pull").contains(e.getKey())) {
        assertTrue(ports == null || ports.isEmpty(), e.getKey() + " is not published");
      } else if (ports != null) {
        ports.forEach(
            p -> assertTrue(p.toString().startsWith("127.0.0.1:"), e.getKey() + ": " + p));
      }
    }
    for (String name : List.of("dataset", "trainer", "trainer-gpu", "inference", "scoring")) {
      Map<String, Object> s = services.get(name);
      assertEquals(List.of("llmft-config"), s.get("secrets"), name);
      assertEquals(true, s.get("read_only"), name);
      assertEquals(List.of("ALL"), s.get("cap_drop"), name);
      assertEquals("/run/secrets/llmft-config", at(s, "environment", "QUARKUS_CONFIG_LOCATIONS"));
    }
  }
}
