package io.llmft.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What can be checked of the native images without GraalVM: the services built natively have
 * Quarkus's {@code native} profile, switched on by {@code -Dnative} as their Dockerfile passes it,
 * which turns the packaging into the native executable ({@code target/*-runner}) that the
 * Dockerfile copies; the JVM images copy what the JVM packaging produces; the DJL services, whose
 * libtorch comes through JNI, have no native image.
 */
class NativeBuildTest {
  private static final List<String> NATIVE = List.of("dataset-service", "scoring-service");
  private static final List<String> JVM_ONLY = List.of("trainer-service", "inference-service");

  /** The properties of the pom's profile {@code id}, and the property that activates it. */
  private static Map<String, String> profile(String module, String id) throws Exception {
    var factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document pom =
        factory.newDocumentBuilder().parse(Repo.ROOT.resolve(module + "/pom.xml").toFile());
    NodeList profiles = pom.getElementsByTagName("profile");
    for (int i = 0; i < profiles.getLength(); i++) {
      Element p = (Element) profiles.item(i);
      if (!id.equals(text(p, "id"))) {
        continue;
      }
      Map<String, String> found = new HashMap<>();
      Element activation = (Element) p.getElementsByTagName("activation").item(0);
      found.put("activated by", activation == null ? null : text(activation, "name"));
      Element properties = (Element) p.getElementsByTagName("properties").item(0);
      NodeList children = properties.getChildNodes();
      for (int c = 0; c < children.getLength(); c++) {
        if (children.item(c) instanceof Element e) {
          found.put(e.getTagName(), e.getTextContent().strip());
        }
      }
      return found;
    }
    return null;
  }

  private static String text(Element parent, String tag) {
    NodeList nodes = parent.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().strip();
  }

  @Test
  void theNativeServicesHaveAProfileThatSwitchesThePackagingToANativeExecutable() throws Exception {
    for (String module : NATIVE) {
      Map<String, String> p = profile(module, "native");
      assertTrue(p != null, module + " has a native profile");
      assertEquals("native", p.get("activated by"), module + ": -Dnative switches it on");
      assertEquals("true", p.get("quarkus.native.enabled"), module);
      assertEquals(
          "false", p.get("quarkus.package.jar.enabled"), module + ": no JVM jar beside it");
      assertTrue(
          Files.exists(
              Repo.ROOT.resolve(
                  module
                      + "/src/main/java/io/llmft/"
                      + module.replace("-service", "")
                      + "/config/NativeReflection.java")),
          module + " registers what Jackson needs by reflection");
    }
    assertTrue(
        Files.exists(
            Repo.ROOT.resolve(
                "service-common/src/main/java/io/llmft/common/config/ContractReflection.java")),
        "the contract's records are registered once for every service");
    for (String module : JVM_ONLY) {
      assertEquals(null, profile(module, "native"), module + " runs on the JVM (DJL, JNI)");
      assertFalse(Files.exists(Repo.ROOT.resolve(module + "/src/main/docker/Dockerfile.native")));
    }
  }

  @Test
  void eachDockerfileCopiesWhatItsPackagingProduces() throws Exception {
    for (String module : NATIVE) {
      String dockerfile =
          Repo.read(Repo.ROOT.resolve(module + "/src/main/docker/Dockerfile.native"));
      String build =
          dockerfile.lines().filter(l -> l.startsWith("RUN mvn")).findFirst().orElseThrow();
      assertTrue(build.contains("-pl " + module) && build.contains(" -Dnative"), build);
      assertTrue(
          dockerfile.contains(
              "COPY --from=build --chown=1001:0 --chmod=0755 /src/"
                  + module
                  + "/target/*-runner /work/application"),
          module + " copies the native executable");
      assertTrue(dockerfile.contains("ENTRYPOINT [\"./application\""), module);
    }
    for (String module : List.of("dataset-service", "scoring-service", "inference-service")) {
      Path jvm = Repo.ROOT.resolve(module + "/src/main/docker/Dockerfile.jvm");
      String dockerfile = Repo.read(jvm);
      assertFalse(dockerfile.contains("-Dnative"), module + ": the JVM image builds the jar");
      assertTrue(
          dockerfile.contains("/src/" + module + "/target/quarkus-app /deployments"),
          module + " copies the fast-jar layout");
    }
  }
}
