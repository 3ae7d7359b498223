package io.llmft.common.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetrySwitchTest {
  @Test
  void withoutAnEndpointNothingIsSampledSoNothingIsExported() {
    TelemetrySwitch off = new TelemetrySwitch(Map.of());
    assertEquals("0.0", off.getValue(TelemetrySwitch.SAMPLED_SHARE));
    assertNull(off.getValue("quarkus.otel.exporter.otlp.traces.endpoint"));
    assertEquals(
        "0.0",
        new TelemetrySwitch(Map.of(TelemetrySwitch.ENDPOINT, " "))
            .getValue(TelemetrySwitch.SAMPLED_SHARE));
  }

  @Test
  void anEndpointTurnsExportOnWithItsProtocol() {
    TelemetrySwitch on =
        new TelemetrySwitch(
            Map.of(
                TelemetrySwitch.ENDPOINT,
                "http://collector:4318",
                TelemetrySwitch.PROTOCOL,
                "http/protobuf"));
    assertEquals("1.0", on.getValue(TelemetrySwitch.SAMPLED_SHARE), "every trace");
    assertEquals(
        "http://collector:4318", on.getValue("quarkus.otel.exporter.otlp.traces.endpoint"));
    assertEquals("http/protobuf", on.getValue("quarkus.otel.exporter.otlp.traces.protocol"));
    assertEquals(275, on.getOrdinal(), "above application.properties, below the environment");
  }
}
