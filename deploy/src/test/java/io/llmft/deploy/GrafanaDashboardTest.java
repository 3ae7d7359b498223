package io.llmft.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard asks only for meters the services register. */
class GrafanaDashboardTest {
  private static final Pattern METER = Pattern.compile("\"(llmft\\.[a-z.]+)\"");
  private static final Pattern QUERIED = Pattern.compile("llmft_[a-z_]+");

  /** The Prometheus names of every meter the services' main code registers. */
  private static Set<String> registered() throws IOException {
    Set<String> names = new HashSet<>();
    try (Stream<Path> files = Files.walk(Repo.ROOT)) {
      for (Path f :
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> p.toString().contains("/src/main/"))
              .toList()) {
        Matcher m = METER.matcher(Files.readString(f));
        while (m.find()) {
          names.add(m.group(1).replace('.', '_'));
        }
      }
    }
    return names;
  }

  @Test
  void everyQueryNamesARegisteredMeter() throws IOException {
    JsonNode dashboard =
        new ObjectMapper()
            .readTree(Repo.ROOT.resolve("deploy/grafana/llmft-dashboard.json").toFile());
    Set<String> meters = registered();
    assertFalse(meters.isEmpty());
    int queries = 0;
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.get("targets")) {
        Matcher m = QUERIED.matcher(target.get("expr").asText());
        while (m.find()) {
          String base = m.group().replaceAll("(_seconds)?(_total|_bucket|_count|_sum|_max)?$", "");
          assertTrue(meters.contains(base), m.group() + " is no meter of the services: " + meters);
          queries++;
        }
      }
    }
    assertTrue(queries >= 10, "the dashboard covers the meters: " + queries);
  }
}
