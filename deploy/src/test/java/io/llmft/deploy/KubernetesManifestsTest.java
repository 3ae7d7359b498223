package io.llmft.deploy;

import static io.llmft.deploy.Repo.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Renders deploy/k8s as kustomize would for the base (its resources, one namespace) and checks the
 * invariants the cluster relies on. No cluster is needed.
 */
class KubernetesManifestsTest {
  private static final Path BASE = Repo.ROOT.resolve("deploy/k8s");

  private static Map<String, Object> find(
      List<Map<String, Object>> docs, String kind, String name) {
    return docs.stream()
        .filter(d -> kind.equals(d.get("kind")) && name.equals(at(d, "metadata", "name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static Map<String, Object> container(Map<String, Object> deployment) {
    return at(deployment, "spec", "template", "spec", "containers", "0");
  }

  @Test
  void baseHasNamespaceKafkaOllamaAndTheSharedArtifactStore() {
    List<Map<String, Object>> docs = Repo.kustomizationResources(BASE);
    assertEquals(
        "llmft",
        Repo.yamlDocuments(BASE.resolve("base/kustomization.yaml")).get(0).get("namespace"));
    find(docs, "Namespace", "llmft");
    Map<String, Object> kafka = find(docs, "StatefulSet", "kafka");
    assertNotNull(at(kafka, "spec", "volumeClaimTemplates", "0"), "Kafka keeps its log on a PVC");
    assertTrue(
        container(kafka).get("env").toString().contains("broker,controller"), "KRaft, single node");
    String topicsJob = at(kafka, "spec", "template", "spec", "containers", "1", "args").toString();
    Repo.TOPICS.forEach(t -> assertTrue(topicsJob.contains(t + ":"), "topic " + t + " is created"));
    Repo.JOB_TOPICS.forEach(
        t ->
            assertTrue(
                topicsJob.contains(t + ":" + Repo.JOB_PARTITIONS),
                t + " has one partition per possible replica"));
    assertEquals(
        List.of("ReadWriteMany"),
        at(find(docs, "PersistentVolumeClaim", "artifacts"), "spec", "accessModes"));
    find(docs, "Deployment", "ollama");
    find(docs, "PersistentVolumeClaim", "ollama-models");
    assertTrue(find(docs, "Job", "ollama-pull").toString().contains("llama3"));
  }

  @Test
  void everyServiceHasProbesResourcesTheArtifactVolumeMetricsAndOnlyEnvItReads() {
    List<Map<String, Object>> docs = Repo.kustomizationResources(BASE);
    Map<String, Object> config = at(find(docs, "ConfigMap", "llmft-config"), "data");
    for (Repo.Service s : Repo.SERVICES) {
      Map<String, Object> deployment = find(docs, "Deployment", s.name());
      Map<String, Object> c = container(deployment);
      assertEquals(s.image(), c.get("image"), s.name() + " image matches the build");
      assertEquals("/q/health/ready", at(c, "readinessProbe", "httpGet", "path"));
      assertEquals("/q/health/live", at(c, "livenessProbe", "httpGet", "path"));
      assertEquals(s.port(), (Integer) at(c, "ports", "0", "containerPort"));
      assertNotNull(at(c, "resources", "requests", "cpu"), s.name());
      assertNotNull(at(c, "resources", "limits", "memory"), s.name());
      assertEquals("/artifacts", at(c, "volumeMounts", "0", "mountPath"));
      assertEquals(
          "artifacts",
          at(
              deployment,
              "spec",
              "template",
              "spec",
              "volumes",
              "0",
              "persistentVolumeClaim",
              "claimName"));
      Map<String, Object> annotations =
          at(deployment, "spec", "template", "metadata", "annotations");
      assertEquals("true", annotations.get("prometheus.io/scrape"));
      assertEquals("/q/metrics", annotations.get("prometheus.io/path"));
      assertEquals(
          true,
          (Boolean) at(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot"));
      List<Map<String, Object>> env = at(c, "env");
      for (Map<String, Object> e : env) {
        String name = e.get("name").toString();
        assertTrue(
            Repo.serviceReads(s.module(), name),
            s.name() + " is given " + name + " but reads no such setting");
        String key = at(e, "valueFrom", "configMapKeyRef", "key");
        Boolean optional = at(e, "valueFrom", "configMapKeyRef", "optional");
        assertTrue(
            key == null || config.containsKey(key) || Boolean.TRUE.equals(optional),
            "config map has " + key + " (or the reference is optional)");
      }
      assertTrue(env.stream().anyMatch(e -> "KAFKA_BOOTSTRAP_SERVERS".equals(e.get("name"))));
      assertTrue(env.stream().anyMatch(e -> "ARTIFACTS_DIR".equals(e.get("name"))));
      find(docs, "Service", s.name());
    }
    assertTrue(
        at(container(find(docs, "Deployment", "scoring")), "env")
            .toString()
            .contains("OLLAMA_HOST"));
  }

  @Test
  void trainerRunsOnAGpuNodeOneJobPerPodAndHasTimeToCheckpoint() {
    Map<String, Object> trainer = find(Repo.kustomizationResources(BASE), "Deployment", "trainer");
    Map<String, Object> pod = at(trainer, "spec", "template", "spec");
    assertEquals(1, (Integer) at(container(trainer), "resources", "limits", "nvidia.com/gpu"));
    assertEquals("true", at(pod, "nodeSelector", "nvidia.com/gpu.present"));
    assertEquals("nvidia.com/gpu", at(pod, "tolerations", "0", "key"));
    assertEquals("Recreate", at(trainer, "spec", "strategy", "type"));
    assertEquals(1, (Integer) at(trainer, "spec", "replicas"));
    assertTrue((Integer) pod.get("terminationGracePeriodSeconds") >= 300);
  }

  @Test
  void scoringReadsJudgeKeysFromAnOptionalSecretWhereTheServiceLooks() throws Exception {
    Map<String, Object> scoring = find(Repo.kustomizationResources(BASE), "Deployment", "scoring");
    String config =
        java.nio.file.Files.readString(
            Repo.ROOT.resolve(
                "scoring-service/src/main/java/io/llmft/scoring/config/JudgeConfig.java"));
    String mount = at(container(scoring), "volumeMounts", "2", "mountPath");
    assertEquals("judge-keys", at(container(scoring), "volumeMounts", "2", "name"));
    assertTrue(
        config.contains("@WithDefault(\"" + mount + "\")"),
        "judge.secrets-dir defaults to " + mount);
    Map<String, Object> volume = at(scoring, "spec", "template", "spec", "volumes", "2");
    assertEquals("judge-keys", volume.get("name"));
    assertEquals("llmft-judge", at(volume, "secret", "secretName"));
    assertEquals(
        Boolean.TRUE,
        at(volume, "secret", "optional"),
        "a cluster without judge keys still starts");
  }

  @Test
  void inferenceAndScoringScaleByReplicas() {
    List<Map<String, Object>> docs = Repo.kustomizationResources(BASE);
    for (String name : List.of("inference", "scoring")) {
      Map<String, Object> hpa = find(docs, "HorizontalPodAutoscaler", name);
      assertEquals(name, at(hpa, "spec", "scaleTargetRef", "name"));
      assertTrue((Integer) at(hpa, "spec", "maxReplicas") > 1);
    }
  }

  @Test
  void strimziOverlayReplacesKafkaWithOperatorResources() {
    Path overlay = BASE.resolve("overlays/strimzi");
    Map<String, Object> kustomization =
        Repo.yamlDocuments(overlay.resolve("kustomization.yaml")).get(0);
    String patches = kustomization.get("patches").toString();
    assertTrue(patches.contains("$patch: delete") && patches.contains("StatefulSet"));
    assertTrue(patches.contains("llmft-kafka-bootstrap:9093"));
    List<Map<String, Object>> docs =
        new ArrayList<>(Repo.yamlDocuments(overlay.resolve("kafka.yaml")));
    docs.addAll(Repo.yamlDocuments(overlay.resolve("topics.yaml")));
    find(docs, "Kafka", "llmft-kafka");
    find(docs, "KafkaNodePool", "dual-role");
    Repo.TOPICS.forEach(t -> find(docs, "KafkaTopic", t));
    Repo.JOB_TOPICS.forEach(
        t ->
            assertEquals(
                (Object) Repo.JOB_PARTITIONS,
                at(find(docs, "KafkaTopic", t), "spec", "partitions"),
                t + " partitions"));
  }
}
