package io.llmft.common.tracing;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Trace export is off unless {@code OTEL_EXPORTER_OTLP_ENDPOINT} names a collector (the variable
 * every OpenTelemetry SDK reads; {@code OTEL_EXPORTER_OTLP_PROTOCOL}: {@code grpc}, the default, or
 * {@code http/protobuf}). Without it, spans are still made — trace ids travel in record headers,
 * job documents and logs — but none is sampled, so nothing is sent anywhere; with it, every trace
 * is. Quarkus' own {@code QUARKUS_OTEL_*} settings override these (e.g. {@code
 * QUARKUS_OTEL_TRACES_SAMPLER_ARG=0.1} to keep a tenth).
 */
public final class TelemetrySwitch implements ConfigSource {
  static final String ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
  static final String PROTOCOL = "OTEL_EXPORTER_OTLP_PROTOCOL";

  /**
   * The share of traces sampled (the sampler itself, {@code traceidratio}, is fixed at build time;
   * its argument is read at start).
   */
  static final String SAMPLED_SHARE = "quarkus.otel.traces.sampler.arg";

  private final Map<String, String> properties;

  public TelemetrySwitch() {
    this(System.getenv());
  }

  TelemetrySwitch(Map<String, String> env) {
    Map<String, String> p = new HashMap<>();
    String endpoint = env.get(ENDPOINT);
    if (endpoint == null || endpoint.isBlank()) {
      p.put(SAMPLED_SHARE, "0.0");
    } else {
      p.put(SAMPLED_SHARE, "1.0");
      p.put("quarkus.otel.exporter.otlp.traces.endpoint", endpoint.trim());
      String protocol = env.get(PROTOCOL);
      if (protocol != null && !protocol.isBlank()) {
        p.put("quarkus.otel.exporter.otlp.traces.protocol", protocol.trim());
      }
    }
    this.properties = Map.copyOf(p);
  }

  @Override
  public Map<String, String> getProperties() {
    return properties;
  }

  @Override
  public Set<String> getPropertyNames() {
    return properties.keySet();
  }

  @Override
  public String getValue(String name) {
    return properties.get(name);
  }

  @Override
  public String getName() {
    return "OTEL_EXPORTER_OTLP_ENDPOINT switch";
  }

  /** Above application.properties (250), below the environment (300). */
  @Override
  public int getOrdinal() {
    return 275;
  }
}
