package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The pipeline test's collector reads what an OTLP/HTTP exporter posts. */
class OtlpCollectorTest {
  @Test
  void keepsTheSpansOfAnExportRequest() throws Exception {
    byte[] traceId = HexFormat.of().parseHex("0af7651916cd43dd8448eb211c80319c");
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(
                        Resource.newBuilder()
                            .addAttributes(
                                KeyValue.newBuilder()
                                    .setKey("service.name")
                                    .setValue(
                                        AnyValue.newBuilder().setStringValue("trainer-service"))))
                    .addScopeSpans(
                        ScopeSpans.newBuilder()
                            .addSpans(
                                Span.newBuilder()
                                    .setTraceId(ByteString.copyFrom(traceId))
                                    .setName("training job"))))
            .build();
    try (OtlpCollector collector = new OtlpCollector()) {
      HttpResponse<byte[]> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(collector.url() + "/v1/traces"))
                      .header("Content-Type", "application/x-protobuf")
                      .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray()))
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, response.statusCode());
      assertEquals(1, collector.spans().size());
      OtlpCollector.ReceivedSpan span = collector.spans().get(0);
      assertEquals("trainer-service", span.service());
      assertEquals("0af7651916cd43dd8448eb211c80319c", span.traceId());
      assertEquals("training job", span.name());
    }
  }
}
