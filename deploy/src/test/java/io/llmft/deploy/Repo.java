package io.llmft.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** The repository as the deployment checks see it: YAML documents, service config keys. */
final class Repo {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** Service (compose/k8s name) to module, port and image. */
  record Service(String name, String module, int port, String image) {}

  static final List<Service> SERVICES =
      List.of(
          new Service("dataset", "dataset-service", 8081, "llmft/dataset-service:0.1.0"),
          new Service("trainer", "trainer-service", 8082, "llmft/trainer-service:0.1.0"),
          new Service("inference", "inference-service", 8083, "llmft/inference-service:0.1.0"),
          new Service("scoring", "scoring-service", 8084, "llmft/scoring-service:0.1.0"));

  static final List<String> TOPICS =
      List.of(
          "dataset-jobs",
          "training-jobs",
          "inference-jobs",
          "scoring-jobs",
          "job-events",
          "dataset-jobs-dlq",
          "training-jobs-dlq",
          "inference-jobs-dlq",
          "scoring-jobs-dlq");

  /** Job topics: their partition count bounds how many replicas of a stage share its work. */
  static final List<String> JOB_TOPICS =
      List.of("dataset-jobs", "training-jobs", "inference-jobs", "scoring-jobs");

  static final int JOB_PARTITIONS = 6;

  private Repo() {}

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> yamlDocuments(Path file) {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (Object doc : strictYaml().loadAll(in)) {
        if (doc != null) {
          docs.add((Map<String, Object>) doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  /**
   * A YAML reader as strict as the real tools on what they refuse: a key defined twice in one
   * mapping fails the whole file (docker compose's yaml.v3 and the Kubernetes API server reject it;
   * SnakeYAML's default silently keeps the last value).
   */
  static Yaml strictYaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new Yaml(options);
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The objects of a kustomization as kustomize would list them: its resources, files and
   * directories (patches aside).
   */
  static List<Map<String, Object>> kustomizationResources(Path dir) {
    Map<String, Object> kustomization = yamlDocuments(dir.resolve("kustomization.yaml")).get(0);
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object resource : (List<?>) kustomization.get("resources")) {
      Path path = dir.resolve(resource.toString()).normalize();
      if (!Files.exists(path)) {
        throw new AssertionError("kustomization names a missing resource: " + path);
      }
      docs.addAll(Files.isDirectory(path) ? kustomizationResources(path) : yamlDocuments(path));
    }
    return docs;
  }

  /** Every config key a service reads from its properties files (profile prefixes removed). */
  static Set<String> configKeys(String module) {
    Set<String> keys = new TreeSet<>();
    for (Path file :
        List.of(
            ROOT.resolve(module).resolve("src/main/resources/application.properties"),
            ROOT.resolve(
                "service-common/src/main/resources/META-INF/microprofile-config.properties"))) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (String key : p.stringPropertyNames()) {
        keys.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
      }
    }
    for (String source : List.of(module, "service-common")) {
      keys.addAll(mappedKeys(ROOT.resolve(source).resolve("src/main/java")));
    }
    return keys;
  }

  private static final Pattern MAPPING =
      Pattern.compile("@ConfigMapping\\(prefix = \"([a-z.-]+)\"\\)");
  private static final Pattern METHOD =
      Pattern.compile("^\\s+[\\w<>.]+ (\\w+)\\(\\);", Pattern.MULTILINE);

  /**
   * The keys of the {@code @ConfigMapping} interfaces under {@code sources}: prefix + each method
   * name in kebab case ({@code judge.call-timeout} for {@code callTimeout()}).
   */
  static Set<String> mappedKeys(Path sources) {
    Set<String> keys = new TreeSet<>();
    try (var files = Files.walk(sources)) {
      for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
        String java = Files.readString(f);
        Matcher prefix = MAPPING.matcher(java);
        if (!prefix.find()) {
          continue;
        }
        Matcher method = METHOD.matcher(java);
        while (method.find()) {
          keys.add(
              prefix.group(1)
                  + "."
                  + method.group(1).replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return keys;
  }

  /**
   * Kafka client settings the services pass to every producer and consumer from {@code KAFKA_*}
   * environment variables (Quarkus maps {@code KAFKA_SASL_JAAS_CONFIG} to {@code
   * sasl.jaas.config}).
   */
  static final Set<String> KAFKA_CLIENT_SETTINGS =
      Set.of(
          "kafka.security.protocol",
          "kafka.sasl.mechanism",
          "kafka.sasl.jaas.config",
          "kafka.ssl.truststore.type",
          "kafka.ssl.truststore.location",
          "kafka.ssl.truststore.password",
          "kafka.ssl.keystore.type",
          "kafka.ssl.keystore.location",
          "kafka.ssl.keystore.password");

  /**
   * MicroProfile Config's environment-variable rule, backwards: ARTIFACTS_DIR reads artifacts.dir.
   */
  static boolean serviceReads(String module, String envName) {
    String property = envName.toLowerCase(Locale.ROOT).replace('_', '.');
    return configKeys(module).stream()
            .anyMatch(k -> k.replace('-', '.').replace('_', '.').equals(property))
        || KAFKA_CLIENT_SETTINGS.contains(property)
        || envName.startsWith("QUARKUS_")
        || envName.equals("JAVA_OPTS")
        || envName.startsWith("DJL_")
        || envName.equals("OPT_OUT_TRACKING")
        || envName.equals("PYTORCH_FLAVOR")
        || readByName(module, envName);
  }

  /**
   * Whether the variable is read by its own name: as {@code ${NAME}} in the configuration, or as
   * the string {@code "NAME"} in the sources (e.g. the OpenTelemetry switch).
   */
  private static boolean readByName(String module, String envName) {
    List<Path> files = new ArrayList<>();
    files.add(ROOT.resolve(module).resolve("src/main/resources/application.properties"));
    files.add(
        ROOT.resolve("service-common/src/main/resources/META-INF/microprofile-config.properties"));
    for (String source : List.of(module, "service-common")) {
      try (var java = Files.walk(ROOT.resolve(source).resolve("src/main/java"))) {
        java.filter(f -> f.toString().endsWith(".java")).forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files.stream()
        .map(Repo::read)
        .anyMatch(
            text -> text.contains("${" + envName + ":") || text.contains("\"" + envName + "\""));
  }

  @SuppressWarnings("unchecked")
  static <T> T at(Object node, String... path) {
    Object current = node;
    for (String key : path) {
      if (current instanceof Map<?, ?> map) {
        current = map.get(key);
      } else if (current instanceof List<?> list) {
        current = list.get(Integer.parseInt(key));
      } else {
        return null;
      }
    }
    return (T) current;
  }
}
