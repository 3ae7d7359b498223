package io.llmft.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every Kubernetes object of deploy/k8s read into the Kubernetes API's own object model (fabric8
 * kubernetes-model, from the Quarkus BOM; Strimzi's API model for its resources): an unknown field
 * anywhere, which the API server refuses under strict field validation ({@code kubectl apply}'s
 * default), or a value of the wrong type fails here. Checked on the files as written and, where
 * kubectl is installed, on what {@code kubectl kustomize} renders (patches applied).
 */
class KubernetesSchemaTest {
  private static final Map<String, Class<?>> KINDS =
      Map.ofEntries(
          Map.entry("v1/Namespace", Namespace.class),
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
          Map.entry("v1/Service", Service.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("apps/v1/StatefulSet", StatefulSet.class),
          Map.entry("batch/v1/Job", Job.class),
          Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
          Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
          Map.entry("kafka.strimzi.io/v1beta2/Kafka", Kafka.class),
          Map.entry("kafka.strimzi.io/v1beta2/KafkaNodePool", KafkaNodePool.class),
          Map.entry("kafka.strimzi.io/v1beta2/KafkaTopic", KafkaTopic.class),
          Map.entry("kafka.strimzi.io/v1beta2/KafkaUser", KafkaUser.class));

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The unknown fields of one object, as paths; empty when the API would accept it. */
  static List<String> unknownFields(Map<String, Object> doc) {
    String type = doc.get("apiVersion") + "/" + doc.get("kind");
    Class<?> model = KINDS.get(type);
    assertNotNull(model, "no schema for " + type + " (add it to KINDS)");
    Object object = MAPPER.convertValue(doc, model);
    List<String> unknown = new ArrayList<>();
    walk(object, type + " " + Repo.at(doc, "metadata", "name"), unknown);
    return unknown;
  }

  /** The models keep what they do not know in additionalProperties instead of failing. */
  private static void walk(Object node, String path, List<String> unknown) {
    if (node == null) {
      return;
    }
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        walk(item, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "." + k, unknown));
      return;
    }
    String pkg = node.getClass().getPackageName();
    if (!pkg.startsWith("io.fabric8.kubernetes.api.model") && !pkg.startsWith("io.strimzi.api")) {
      return;
    }
    for (Method m : node.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(node);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(path + ": " + extra.keySet());
        }
      } else {
        walk(value, path + "." + m.getName().substring(3), unknown);
      }
    }
  }

  private static List<Map<String, Object>> filesOf(Path dir) throws Exception {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (var files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        if (!f.getFileName().toString().equals("kustomization.yaml")) {
          docs.addAll(Repo.yamlDocuments(f));
        }
      }
    }
    return docs;
  }

  private static void assertAccepted(List<Map<String, Object>> docs) {
    List<String> unknown = new ArrayList<>();
    docs.forEach(d -> unknown.addAll(unknownFields(d)));
    assertEquals(List.of(), unknown);
  }

  @Test
  void everyObjectAsWrittenHasOnlyFieldsTheApiKnows() throws Exception {
    List<Map<String, Object>> docs = filesOf(Repo.ROOT.resolve("deploy/k8s"));
    assertAccepted(docs);
    assertEquals(true, docs.size() > 25, "all objects were read: " + docs.size());
  }

  @Test
  void whatKustomizeRendersHasOnlyFieldsTheApiKnows() throws Exception {
    assumeTrue(KustomizeBuildTest.kubectlInstalled(), "kubectl is not installed");
    assertAccepted(KustomizeBuildTest.kustomize("deploy/k8s"));
    assertAccepted(KustomizeBuildTest.kustomize("deploy/k8s/overlays/strimzi"));
  }

  @Test
  void anUnknownOrMistypedFieldIsFound() {
    Map<String, Object> deployment =
        Map.of(
            "apiVersion",
            "apps/v1",
            "kind",
            "Deployment",
            "metadata",
            Map.of("name", "x"),
            "spec",
            Map.of(
                "template",
                Map.of(
                    "spec",
                    Map.of(
                        "containers",
                        List.of(
                            Map.of("name", "x", "image", "x", "imagePullPolicyy", "Always"))))));
    assertEquals(1, unknownFields(deployment).size(), unknownFields(deployment).toString());
    Map<String, Object> mistyped =
        Map.of(
            "apiVersion",
            "v1",
            "kind",
            "Service",
            "metadata",
            Map.of("name", "x"),
            "spec",
            Map.of("ports", "8080"));
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> unknownFields(mistyped));
  }
}
